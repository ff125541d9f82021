//! The unim conformance suite against the Easemob adapter and the emulator's
//! Easemob face: one test per case (`cargo test -p unim-easemob --test conformance`).

unim_conformance::suite!(unim_conformance::vendors::easemob::easemob_factory());
