//! Any bytes through the cookie escaping (Rack::Utils.escape/unescape's bytes): no panic, escape
//! output is always unreserved ASCII, and unescape(escape(x)) == x.
#![no_main]

use libfuzzer_sys::fuzz_target;
use railsess_core::www_form;

fuzz_target!(|data: &[u8]| {
    let escaped = www_form::escape(data);
    assert!(escaped
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"*-._+%".contains(b)));
    assert_eq!(www_form::unescape(&escaped).as_deref(), Some(data));
    let _ = www_form::unescape(data);
    let _ = www_form::needs_escape(data);
});
