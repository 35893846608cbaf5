# frozen_string_literal: true

require_relative "../../docs/format_examples"
require "rack/session/abstract/id"

# docs/FORMAT.md cannot drift: its worked examples are what the vectors give (FormatExamples
# recomputes them with OpenSSL and checks each against the vector's expected outcome), and railsess
# agrees with every one of them.
RSpec.describe "docs/FORMAT.md", kind: :docs do
  let(:path) { File.expand_path("../../docs/FORMAT.md", __dir__) }
  let(:markdown) { File.read(path) }

  def example(name)
    block = markdown[/^```example #{Regexp.escape(name)}\n(.*?)^```$/m, 1] or raise "no example #{name}"
    block.lines.to_h { |line| line.chomp.split(": ", 2) }
  end

  it "holds exactly the examples the vectors give (rake docs:format rewrites them)" do
    expect(markdown).to eq(FormatExamples.render(markdown))
    expect(markdown.scan(/^```example (\S+)$/).flatten).to match_array(FormatExamples.all.keys)
  end

  it "derives the key railsess derives" do
    kdf = example("kdf")
    generator = Railsess::KeyGenerator.new(kdf["secret_key_base"], iterations: 1000,
                                                                   hash_digest_class: OpenSSL::Digest::SHA256)
    key = generator.generate_key(kdf["salt"], 32)
    expect(key.unpack1("H*")).to eq(kdf["key (hex)"])
  end

  it "shows a session cookie the railsess middleware reads as shown" do
    gcm = example("gcm-session")
    secret = example("kdf")["secret_key_base"]
    config = Railsess::CookieConfig.new(secret_key_base: secret, preset: "7.1")
    expect(config.encrypted.load("_myapp_session", gcm["value (unescaped)"]).first).to eq(JSON.parse(gcm["session"]))
  end

  it "shows CSRF tokens Railsess::CSRF accepts" do
    csrf = example("csrf")
    session = { "_csrf_token" => csrf["session[\"_csrf_token\"]"] }
    expect(Railsess::CSRF.valid?(session, csrf["masked global token"])).to be(true)
    expect(Railsess::CSRF.valid?(session, csrf["masked per-form token"], path: "/posts", method: "POST")).to be(true)
    expect(Railsess::CSRF.valid?(session, csrf["masked per-form token"], path: "/other", method: "POST")).to be(false)
  end

  it "shows Redis keys and cache entries as railsess writes them" do
    keys = example("redis-keys")
    expect(Rack::Session::SessionId.new(keys["public id (the cookie)"]).private_id).to eq(keys["private id"])
    entry = Railsess::Session::CacheEntry.dump({ "a" => 1 }, expires_in: 10, format: 7.1, now: 1_699_999_990.0)
    expect(entry.unpack1("H*")).to start_with(keys["7.1 cache entry header, expires_at 1700000000.0 (hex)"])
  end
end
