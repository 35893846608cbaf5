//! Every vector Rails 6.1 to 8.1 wrote (`spec/fixtures/vectors`, a copy of `shared/vectors`),
//! checked at the byte level: the serializers are Ruby's business and are covered by RSpec.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use base64::Engine;
use railsess_core::{
    pbkdf2, Compat, Digest, Error, LegacyEnvelope, MessageEncryptor, MessageVerifier,
};
use serde_json::Value;

fn vector_files() -> Vec<(Compat, Vec<Value>)> {
    let dir = std::env::var_os("RAILSESS_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/fixtures/vectors")
        });
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("vector directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let version = doc["rails"].as_str().unwrap();
        let compat = match version.get(..3).unwrap() {
            "6.1" => Compat::Rails61,
            "7.0" => Compat::Rails70,
            "7.1" => Compat::Rails71,
            _ => Compat::Rails72,
        };
        files.push((compat, doc["vectors"].as_array().unwrap().clone()));
    }
    assert_eq!(files.len(), 6, "expected the six Rails versions in {dir:?}");
    files
}

fn hex_field(v: &Value, key: &str) -> Option<Vec<u8>> {
    v[key].as_str().map(|s| hex::decode(s).unwrap())
}

/// The serialized value inside `plain`, after the legacy or the 7.1+ envelope, with its purpose.
fn unwrap_json(plain: &[u8]) -> (Value, Option<String>) {
    if let Some(env) = LegacyEnvelope::parse(plain) {
        let inner: Value = serde_json::from_slice(&env.message.unwrap()).unwrap();
        return (inner, env.pur);
    }
    let parsed: Value = serde_json::from_slice(plain).unwrap();
    match parsed.get("_rails") {
        Some(meta) => (meta["data"].clone(), meta["pur"].as_str().map(String::from)),
        None => (parsed, None),
    }
}

fn check_value(v: &Value, plain: &[u8], label: &str) {
    if let Some(b64) = v["plaintext_b64"].as_str() {
        let expected = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(plain, expected.as_slice(), "{label}: plaintext");
    }
    let serializer = v["serializer"].as_str().unwrap();
    if serializer.contains("json") {
        let (value, pur) = unwrap_json(plain);
        assert_eq!(value, v["value"], "{label}: value");
        assert_eq!(pur.as_deref(), v["purpose"].as_str(), "{label}: purpose");
    }
}

#[test]
fn key_generator_vectors() {
    let mut n = 0;
    for (_, vectors) in vector_files() {
        for v in vectors.iter().filter(|v| v["kind"] == "key_generator") {
            let digest = Digest::from_name(v["digest"].as_str().unwrap()).unwrap();
            let key = pbkdf2(
                digest,
                v["secret"].as_str().unwrap().as_bytes(),
                v["salt"].as_str().unwrap().as_bytes(),
                v["iterations"].as_u64().unwrap() as u32,
                v["length"].as_u64().unwrap() as usize,
            )
            .unwrap();
            assert_eq!(hex::encode(key.expose()), v["key_hex"].as_str().unwrap());
            n += 1;
        }
    }
    assert!(n >= 300, "only {n} key_generator vectors");
}

#[test]
fn message_encryptor_vectors() {
    let mut n = 0;
    for (compat, vectors) in vector_files() {
        for v in vectors.iter().filter(|v| v["kind"] == "message_encryptor") {
            let label = format!("{compat:?} {} {:?}", v["cipher"], v["case"]);
            let wrong_key = v["secret_hex"].is_null();
            let secret = hex_field(v, "secret_hex").unwrap_or_else(|| vec![7u8; 32]);
            let url_safe = v["url_safe"].as_bool().unwrap_or(false);
            let enc = match v["cipher"].as_str().unwrap() {
                "aes-256-gcm" => MessageEncryptor::gcm(&secret, url_safe, compat).unwrap(),
                _ => {
                    let sign = if wrong_key {
                        vec![9u8; 64]
                    } else {
                        hex_field(v, "sign_secret_hex").unwrap_or_else(|| secret.clone())
                    };
                    let digest = Digest::from_name(v["digest"].as_str().unwrap_or("SHA1")).unwrap();
                    MessageEncryptor::cbc(&secret, &sign, digest, url_safe, compat).unwrap()
                }
            };
            let result = enc.decrypt_and_verify(v["message"].as_str().unwrap().as_bytes());
            let expect = &v["expect"];
            match expect["error"].as_str() {
                Some("ActiveSupport::MessageVerifier::InvalidSignature") => {
                    assert_eq!(result, Err(Error::InvalidSignature), "{label}")
                }
                Some(_) => assert!(result.is_err(), "{label}: expected an error"),
                None => {
                    let plain = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    if expect.get("value").is_some() {
                        check_value(v, &plain, &label);
                    }
                }
            }
            // What we write, Rails' reader (= ours, checked above) reads back.
            if expect.get("value").is_some() {
                let plain = enc
                    .decrypt_and_verify(v["message"].as_str().unwrap().as_bytes())
                    .unwrap();
                let again = enc.encrypt_and_sign(&plain).unwrap();
                assert_eq!(
                    enc.decrypt_and_verify(again.as_bytes()).unwrap(),
                    plain,
                    "{label}"
                );
            }
            n += 1;
        }
    }
    assert!(n >= 2500, "only {n} message_encryptor vectors");
}

#[test]
fn message_verifier_vectors() {
    let mut n = 0;
    for (compat, vectors) in vector_files() {
        for v in vectors.iter().filter(|v| v["kind"] == "message_verifier") {
            let label = format!("{compat:?} {} {:?}", v["digest"], v["case"]);
            let digest = Digest::from_name(v["digest"].as_str().unwrap()).unwrap();
            let url_safe = v["url_safe"].as_bool().unwrap_or(false);
            let secret = hex_field(v, "secret_hex").unwrap();
            let verifier = MessageVerifier::new(&secret, digest, url_safe, compat).unwrap();
            let message = v["message"].as_str().unwrap().as_bytes();
            let data = verifier.verified(message);
            if v["case"] == "tampered" {
                assert!(data.is_none(), "{label}");
                assert!(verifier.extract_encoded(message).is_none(), "{label}");
            } else {
                let data = data.unwrap_or_else(|| panic!("{label}: rejected"));
                if v["verified"].get("value").is_some() {
                    check_value(v, &data, &label);
                    if v["purpose"].is_null() && v["expires_at"].is_null() {
                        // No metadata and no random IV: generation is deterministic.
                        assert_eq!(verifier.generate(&data).as_bytes(), message, "{label}");
                    }
                }
            }
            n += 1;
        }
    }
    assert!(n >= 2500, "only {n} message_verifier vectors");
}

/// `Rack::Utils.unescape` (percent-decoding, "+" is a space), enough for cookie values.
fn unescape(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Cookie-jar and session-cookie vectors at the byte level: the app's KDF and salts, the jar's
/// cipher, the `cookie.<name>` purpose in the envelope, and (for JSON cookies) the value.
#[test]
fn cookie_and_session_vectors() {
    let mut n = 0;
    for (compat, vectors) in vector_files() {
        for v in vectors
            .iter()
            .filter(|v| v["kind"] == "cookie" || v["kind"] == "session")
        {
            let config = &v["config"];
            let (name, jar, expected) = if v["kind"] == "cookie" {
                (
                    v["name"].as_str().unwrap(),
                    v["jar"].as_str().unwrap(),
                    &v["expect"]["value"],
                )
            } else {
                (
                    v["key"].as_str().unwrap(),
                    "encrypted",
                    &v["expect"]["session"],
                )
            };
            let label = format!("{compat:?} {} {jar} {name}", v["preset"]);
            let digest =
                Digest::from_name(config["key_generator_hash_digest_class"].as_str().unwrap())
                    .unwrap();
            let skb = config["secret_key_base"].as_str().unwrap().as_bytes();
            let iterations = config["iterations"].as_u64().unwrap() as u32;
            let salt = |key: &str| config["salts"][key].as_str().unwrap().as_bytes().to_vec();
            let derive = |salt: Vec<u8>, len| {
                pbkdf2(digest, skb, &salt, iterations, len)
                    .unwrap()
                    .expose()
                    .to_vec()
            };
            let message = unescape(v["cookie_value"].as_str().unwrap());
            let plain = if jar == "signed" {
                let key = derive(salt("signed_cookie_salt"), 64);
                let hmac =
                    Digest::from_name(config["signed_cookie_digest"].as_str().unwrap_or("SHA1"))
                        .unwrap();
                MessageVerifier::new(&key, hmac, false, compat)
                    .unwrap()
                    .verified(&message)
            } else if config["use_authenticated_cookie_encryption"] == true {
                let key = derive(salt("authenticated_encrypted_cookie_salt"), 32);
                MessageEncryptor::gcm(&key, false, compat)
                    .unwrap()
                    .decrypt_and_verify(&message)
                    .ok()
            } else {
                let key = derive(salt("encrypted_cookie_salt"), 32);
                let sign = derive(salt("encrypted_signed_cookie_salt"), 64);
                MessageEncryptor::cbc(&key, &sign, Digest::Sha1, false, compat)
                    .unwrap()
                    .decrypt_and_verify(&message)
                    .ok()
            };
            let plain = plain.unwrap_or_else(|| panic!("{label}: rejected"));
            let (serialized, purpose) = match LegacyEnvelope::parse(&plain) {
                Some(env) => (env.message.unwrap(), env.pur),
                None => (plain, None),
            };
            if config["use_cookies_with_metadata"] == true {
                assert_eq!(purpose, Some(format!("cookie.{name}")), "{label}");
            }
            if serialized.starts_with(b"\x04\x08") {
                assert_ne!(
                    config["cookies_serializer"], "json",
                    "{label}: Marshal in a JSON jar"
                );
            } else {
                let value: Value = serde_json::from_slice(&serialized).unwrap();
                assert_eq!(&value, expected, "{label}");
            }
            n += 1;
        }
    }
    assert!(n >= 40, "only {n} cookie/session vectors");
}
