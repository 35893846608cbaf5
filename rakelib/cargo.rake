# frozen_string_literal: true

desc "Rust tests of the whole workspace (the core, and the bindings in an embedded Ruby)"
task(:cargo_test) { sh "cargo test --workspace --locked" }

desc "cargo clippy, warnings are errors"
task(:clippy) { sh "cargo clippy --workspace --all-targets --locked -- -D warnings" }

desc "Check Rust formatting (cargo fmt --all -- --check)"
task(:fmt) { sh "cargo fmt --all -- --check" }
