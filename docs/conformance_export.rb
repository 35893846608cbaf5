# frozen_string_literal: true

require "cgi"
require "json"
require "openssl"
require "digest"
require "railsess"

# `rake vectors:export`: a language-neutral conformance set for implementing Rails' cookie formats
# elsewhere (Go, Elixir, Node, Python...). See docs/CONFORMANCE.md for the fields. Positive cases
# come from the vectors real Rails 6.1-8.1 wrote (spec/fixtures/vectors); negative cases are those
# vectors mutated (tampered, truncated, wrong secret, wrong cookie name, garbage), with the outcome
# Rails' cookie jars give (nil, never an exception); CSRF and domain cases are computed by railsess,
# whose results the suite checks against real ActionPack.
module ConformanceExport
  VECTORS = File.expand_path("../spec/fixtures/vectors", __dir__)
  FORMAT = "railsess-conformance/1"

  module_function

  def files
    Dir[File.join(VECTORS, "rails-*.json")].map { |path| JSON.parse(File.read(path)) }
  end

  def build
    cases = files.flat_map { |file| from_vectors(file) } + csrf_cases + domain_cases + redis_key_cases
    counts = cases.group_by { |c| c["kind"] }.transform_values(&:size)
    { "format" => FORMAT, "generator" => "railsess #{Railsess::VERSION}",
      "documentation" => "docs/CONFORMANCE.md", "counts" => counts, "cases" => cases }
  end

  def from_vectors(file)
    rails = file["rails"]
    file["vectors"].flat_map do |v|
      case v["kind"]
      when "key_generator" then [pbkdf2(v, rails)]
      when "message_encryptor", "message_verifier" then [message(v, rails)]
      when "cookie", "session" then cookie_cases(v, rails)
      else []
      end
    end
  end

  def pbkdf2(vec, rails)
    { "kind" => "pbkdf2", "rails" => rails, **vec.slice("secret", "salt", "iterations", "digest", "length", "key_hex") }
  end

  # MessageEncryptor / MessageVerifier vectors, as they are (their fields are already neutral);
  # "ruby_only" marks Marshal payloads.
  def message(vec, rails)
    vec.merge("rails" => rails, "ruby_only" => vec["serializer"].to_s.include?("marshal"))
  end

  def cookie_config(vec)
    c = vec["config"]
    { "secret_key_base" => c["secret_key_base"], "iterations" => c["iterations"],
      "kdf_digest" => c["key_generator_hash_digest_class"],
      "cipher" => c["use_authenticated_cookie_encryption"] ? "aes-256-gcm" : "aes-256-cbc",
      "use_cookies_with_metadata" => c["use_cookies_with_metadata"], "serializer" => c["cookies_serializer"],
      "salts" => c["salts"], "cookies_digest" => c["cookies_digest"],
      "signed_cookie_digest" => c["signed_cookie_digest"] }
  end

  def cookie_cases(vec, rails)
    name = vec["name"] || vec["key"]
    jar = vec["jar"] || "encrypted"
    expected = vec["kind"] == "session" ? vec["expect"]["session"] : vec["expect"]["value"]
    base = { "kind" => "read_cookie", "rails" => rails, "preset" => vec["preset"], "jar" => jar, "name" => name,
             "config" => cookie_config(vec), "ruby_only" => vec["config"]["cookies_serializer"] == "marshal" }
    value = vec["cookie_value"]
    [base.merge("case" => "valid", "set_cookie" => vec["set_cookie"], "cookie_value" => value,
                "expect" => { "value" => expected }),
     *negatives(base, value, vec)]
  end

  def negatives(base, escaped, vec)
    raw = CGI.unescape(escaped)
    tampered = raw.dup
    tampered.setbyte(5, tampered.getbyte(5) == 65 ? 66 : 65)
    other_secret = base["config"].merge("secret_key_base" => base["config"]["secret_key_base"].reverse)
    list = [["tampered", escaped_of(tampered), base["config"], base["name"]],
            ["truncated", escaped_of(raw[0...-4]), base["config"], base["name"]],
            ["garbage", "bm90IGEgY29va2ll--Z2FyYmFnZQ%3D%3D", base["config"], base["name"]],
            ["wrong secret", escaped, other_secret, base["name"]]]
    if vec["config"]["use_cookies_with_metadata"]
      list << ["other cookie name (purpose)", escaped, base["config"], "#{base['name']}_other"]
    end
    list.map do |label, value, config, name|
      base.merge("case" => label, "cookie_value" => value, "config" => config, "name" => name,
                 "expect" => { "value" => nil })
    end
  end

  def escaped_of(raw) = CGI.escape(raw)

  # CSRF: a fixed session token; masked tokens (global, per-form) that must be accepted, and
  # forged/other-path/other-session ones that must not.
  def csrf_cases
    session = { "_csrf_token" => "cmEOomvsn4F20RZnqyNeGykXuRXjil1MEt23zCb7yI4" }
    other = { "_csrf_token" => "3mUkA9yWq2GmYxTr0v5c8NQq2e1oQWlb8mV7mQkXW0Y" }
    global = Railsess::CSRF.token(session)
    per_form = Railsess::CSRF.token(session, path: "/posts", method: "post")
    rows = [
      [global, nil, nil, true, "masked global token"], [per_form, "/posts", "POST", true, "per-form token"],
      [per_form, "/other", "POST", false, "per-form token, other path"],
      [per_form, "/posts", "PATCH", false, "per-form token, other method"],
      [Railsess::CSRF.token(other), nil, nil, false, "token of another session"],
      [session["_csrf_token"], nil, nil, true, "the raw session token"],
      [global.reverse, nil, nil, false, "tampered"], ["", nil, nil, false, "empty"],
      ["!!!", nil, nil, false, "not base64"]
    ]
    rows.map do |token, path, method, valid, label|
      { "kind" => "csrf", "case" => label, "session_token" => session["_csrf_token"], "token" => token,
        "request_path" => path, "request_method" => method, "expect" => { "valid" => valid } }
    end
  end

  def domain_cases
    hosts = %w[www.myapp.test api.myapp.test myapp.test www.myapp.co.uk www.abc.io localhost 127.0.0.1
               a.b.c.example.com]
    hosts.product([nil, 1, 3], [false, true]).map do |host, tld_length, leading_dot|
      { "kind" => "cookie_domain", "host" => host, "domain" => "all", "tld_length" => tld_length,
        "rails" => leading_dot ? "6.1-7.0" : "7.1+",
        "expect" => { "domain" => Railsess::CookieDomain.resolve(:all, host, tld_length: tld_length,
                                                                             leading_dot: leading_dot) } }
    end
  end

  def redis_key_cases
    %w[3de19e038597f94fbdb8897940c9f604 00000000000000000000000000000000].map do |id|
      { "kind" => "session_private_id", "public_id" => id,
        "expect" => { "private_id" => "2::#{Digest::SHA256.hexdigest(id)}" } }
    end
  end
end
