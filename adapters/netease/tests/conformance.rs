//! The unim conformance suite against the NetEase adapter and the emulator's
//! NetEase face: one test per case (`cargo test -p unim-netease --test conformance`).

unim_conformance::suite!(unim_conformance::vendors::netease::netease_factory());
