//! The unim conformance suite against the Tencent adapter and the emulator's
//! Tencent face: one test per case (`cargo test -p unim-tencent --test conformance`).

unim_conformance::suite!(unim_conformance::vendors::tencent::tencent_factory());
