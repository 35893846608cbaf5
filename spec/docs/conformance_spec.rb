# frozen_string_literal: true

require_relative "../../docs/conformance_export"
require "rack/session/abstract/id"

# The exported conformance set (rake vectors:export) run through railsess, as another
# implementation would run it: every case's expected outcome holds.
RSpec.describe "the conformance vectors export", kind: :docs do
  before(:all) { @data = ConformanceExport.build }

  def cases(kind) = @data["cases"].select { |c| c["kind"] == kind }

  it "has the documented shape, with negative cases for every cookie" do
    expect(@data["format"]).to eq("railsess-conformance/1")
    expect(@data["counts"].keys).to include("pbkdf2", "message_encryptor", "message_verifier", "read_cookie", "csrf",
                                            "cookie_domain", "session_private_id")
    valid = cases("read_cookie").count { |c| c["case"] == "valid" }
    expect(cases("read_cookie").size).to be >= valid * 5
  end

  it "reads every cookie case as expected" do
    failures = cases("read_cookie").reject do |c|
      cfg = c["config"]
      config = Railsess::CookieConfig.new(
        secret_key_base: cfg["secret_key_base"], preset: "6.1", rails_version: c["rails"][0, 3],
        iterations: cfg["iterations"], key_generator_hash_digest_class: cfg["kdf_digest"],
        use_authenticated_cookie_encryption: cfg["cipher"] == "aes-256-gcm",
        use_cookies_with_metadata: cfg["use_cookies_with_metadata"], cookies_serializer: cfg["serializer"].to_sym,
        cookies_digest: cfg["cookies_digest"], signed_cookie_digest: cfg["signed_cookie_digest"],
        **cfg["salts"].transform_keys(&:to_sym)
      )
      codec = c["jar"] == "signed" ? config.signed : config.encrypted
      loaded = codec.load(c["name"], CGI.unescape(c["cookie_value"]))
      (loaded && loaded.first) == c["expect"]["value"]
    end
    expect(failures.map { |c| [c["rails"], c["preset"], c["case"]] }).to eq([])
  end

  it "derives every pbkdf2 key" do
    cases("pbkdf2").each do |c|
      key = Railsess::KeyGenerator.new(c["secret"], iterations: c["iterations"],
                                                    hash_digest_class: OpenSSL::Digest.const_get(c["digest"]))
                                  .generate_key(c["salt"], c["length"])
      expect(key.unpack1("H*")).to eq(c["key_hex"]), c.inspect
    end
  end

  it "checks every CSRF, domain and private id case" do
    cases("csrf").each do |c|
      valid = Railsess::CSRF.valid?({ "_csrf_token" => c["session_token"] }, c["token"],
                                    path: c["request_path"], method: c["request_method"])
      expect(valid).to eq(c["expect"]["valid"]), c["case"]
    end
    cases("cookie_domain").each do |c|
      domain = Railsess::CookieDomain.resolve(:all, c["host"], tld_length: c["tld_length"],
                                                               leading_dot: c["rails"] == "6.1-7.0")
      expect(domain).to eq(c["expect"]["domain"])
    end
    cases("session_private_id").each do |c|
      expect(Rack::Session::SessionId.new(c["public_id"]).private_id).to eq(c["expect"]["private_id"])
    end
  end
end
