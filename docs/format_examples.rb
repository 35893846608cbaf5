# frozen_string_literal: true

require "base64"
require "cgi"
require "digest"
require "json"
require "openssl"

# The worked examples of docs/FORMAT.md, computed from the vectors real Rails wrote
# (spec/fixtures/vectors) with OpenSSL alone. `rake docs:format` writes them into FORMAT.md;
# spec/docs/format_spec.rb checks that FORMAT.md still holds exactly these values, and every
# example checks itself against the vector's expected output (so the doc cannot drift).
module FormatExamples
  VECTORS = File.expand_path("../spec/fixtures/vectors", __dir__)

  module_function

  def vectors(version)
    JSON.parse(File.read(File.join(VECTORS, "rails-#{version}.json")))["vectors"]
  end

  def check!(label, actual, expected)
    raise "FORMAT.md example #{label}: #{actual.inspect} != #{expected.inspect}" unless actual == expected
  end

  def pbkdf2(secret, salt, iterations, length, digest)
    OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, length, OpenSSL::Digest.new(digest))
  end

  def all
    {
      "kdf" => kdf, "gcm-session" => gcm_session, "cbc-session" => cbc_session,
      "verifier" => verifier, "envelope-71" => envelope71, "csrf" => csrf, "redis-keys" => redis_keys
    }
  end

  # Rails 7.1, load_defaults 7.1: the session cookie's key.
  def kdf
    v = vectors("7.1").find { |x| x["kind"] == "session" && x["preset"] == "7.1" }
    c = v["config"]
    key = pbkdf2(c["secret_key_base"], "authenticated encrypted cookie", 1000, 32, "SHA256")
    [["secret_key_base", c["secret_key_base"]], ["salt", "authenticated encrypted cookie"], %w[iterations 1000],
     %w[digest SHA256], %w[length 32], ["key (hex)", key.unpack1("H*")]]
  end

  # The same session cookie, opened step by step.
  def gcm_session
    v = vectors("7.1").find { |x| x["kind"] == "session" && x["preset"] == "7.1" }
    key = pbkdf2(v["config"]["secret_key_base"], "authenticated encrypted cookie", 1000, 32, "SHA256")
    value = CGI.unescape(v["cookie_value"])
    ct, iv, tag = value.split("--")
    plaintext = gcm_decrypt(key, ct, iv, tag)
    envelope = JSON.parse(plaintext)
    session = JSON.parse(Base64.strict_decode64(envelope["_rails"]["message"]))
    check!("gcm-session", session, v["expect"]["session"])
    [["Set-Cookie", v["set_cookie"]], ["value (unescaped)", value],
     ["ciphertext (base64)", ct], ["iv (base64, 12 bytes)", iv], ["auth tag (base64, 16 bytes)", tag],
     ["plaintext", plaintext], ["_rails.message (base64 of the JSON session)", envelope["_rails"]["message"]],
     ["session", JSON.generate(session)]]
  end

  def gcm_decrypt(key, ciphertext, nonce, tag)
    cipher = OpenSSL::Cipher.new("aes-256-gcm").decrypt
    cipher.key = key
    cipher.iv = Base64.strict_decode64(nonce)
    cipher.auth_tag = Base64.strict_decode64(tag)
    cipher.auth_data = ""
    cipher.update(Base64.strict_decode64(ciphertext)) + cipher.final
  end

  def cbc_decrypt(key, ciphertext, nonce)
    cipher = OpenSSL::Cipher.new("aes-256-cbc").decrypt
    cipher.key = key
    cipher.iv = Base64.strict_decode64(nonce)
    cipher.update(Base64.strict_decode64(ciphertext)) + cipher.final
  end

  # Rails 6.1 with load_defaults 5.1 (GCM off): AES-256-CBC + HMAC-SHA1, SHA1 key derivation.
  def cbc_session
    v = vectors("6.1").find { |x| x["kind"] == "session" && x["preset"] == "5.1" }
    c = v["config"]
    key = pbkdf2(c["secret_key_base"], "encrypted cookie", 1000, 32, "SHA1")
    sign_key = pbkdf2(c["secret_key_base"], "signed encrypted cookie", 1000, 64, "SHA1")
    value = CGI.unescape(v["cookie_value"])
    outer, hmac = value.split("--")
    check!("cbc-hmac", OpenSSL::HMAC.hexdigest("SHA1", sign_key, outer), hmac)
    ct, iv = Base64.strict_decode64(outer).split("--")
    plaintext = cbc_decrypt(key, ct, iv)
    check!("cbc-session", JSON.parse(plaintext), v["expect"]["session"])
    [["value (unescaped)", value], ["HMAC-SHA1(sign key, outer) (hex)", hmac],
     ["outer, base64-decoded", Base64.strict_decode64(outer)], ["iv (base64, 16 bytes)", iv],
     ["plaintext (no metadata in 5.1)", plaintext]]
  end

  def verifier
    v = vectors("7.1").find do |x|
      x["kind"] == "message_verifier" && x["digest"] == "SHA1" && x["purpose"].nil? && x["serializer"] == "json" &&
        !x["url_safe"] && x["expires_at"].nil?
    end
    data, digest = v["message"].split("--")
    check!("verifier", OpenSSL::HMAC.hexdigest("SHA1", [v["secret_hex"]].pack("H*"), data), digest)
    [["secret (hex)", v["secret_hex"]], ["message", v["message"]],
     ["data (base64-decoded)", Base64.strict_decode64(data)], ["HMAC-SHA1(secret, data) (hex)", digest]]
  end

  # The 7.1+ form: metadata inside the serializer's own JSON.
  def envelope71
    v = vectors("7.1").find do |x|
      x["kind"] == "message_encryptor" && x["use_message_serializer_for_metadata"] && x["purpose"] &&
        x["serializer"] == ":json" && x["expect"].key?("value")
    end
    plaintext = Base64.strict_decode64(v["plaintext_b64"])
    check!("envelope-71", JSON.parse(plaintext)["_rails"]["data"], v["value"])
    [["purpose", v["purpose"]], ["expires_at", v["expires_at"].inspect], ["plaintext", plaintext]]
  end

  # CSRF: fixed raw token and one-time pad, the masked global token Rails would print.
  def csrf
    raw = Base64.urlsafe_decode64("cmEOomvsn4F20RZnqyNeGykXuRXjil1MEt23zCb7yI4")
    pad = (0...32).to_a.pack("C*")
    global = OpenSSL::HMAC.digest("SHA256", raw, "!real_csrf_token")
    per_form = OpenSSL::HMAC.digest("SHA256", raw, "/posts#post")
    masked = lambda do |token|
      Base64.urlsafe_encode64(pad + token.bytes.zip(pad.bytes).map { |a, b| a ^ b }.pack("C*"), padding: false)
    end
    [["session[\"_csrf_token\"]", "cmEOomvsn4F20RZnqyNeGykXuRXjil1MEt23zCb7yI4"],
     ["one-time pad (hex)", pad.unpack1("H*")],
     ["global token = HMAC-SHA256(raw, \"!real_csrf_token\") (hex)", global.unpack1("H*")],
     ["masked global token", masked.call(global)],
     ["per-form token for POST /posts (hex)", per_form.unpack1("H*")], ["masked per-form token", masked.call(per_form)]]
  end

  def redis_keys
    public_id = "3de19e038597f94fbdb8897940c9f604"
    private_id = "2::#{Digest::SHA256.hexdigest(public_id)}"
    header = ["\x00\x11".b + [0x01, 1_700_000_000.0, -1].pack("CEl<")].first
    [["public id (the cookie)", public_id], ["private id", private_id],
     ["redis-session-store key (key_prefix \"myapp:session:\")", "myapp:session:#{private_id}"],
     ["Rails CacheStore key (namespace \"myapp\")", "myapp:_session_id:#{private_id}"],
     ["7.1 cache entry header, expires_at 1700000000.0 (hex)", header.unpack1("H*")]]
  end

  # The Markdown of one example.
  def block(name, rows)
    lines = rows.map { |label, value| "#{label}: #{value}" }
    "```example #{name}\n#{lines.join("\n")}\n```"
  end

  # FORMAT.md's text with every example block replaced by its current values.
  def render(markdown)
    examples = all
    markdown.gsub(/^```example (\S+)\n.*?^```$/m) { block(Regexp.last_match(1), examples.fetch(Regexp.last_match(1))) }
  end
end
