# frozen_string_literal: true

require "rack/test"

# The session and cookie-jar vectors read through the Rack layer (Session::CookieStore and
# CookieJar) configured from each vector's config, and what the layer writes back compared with the
# Set-Cookie line real Rails wrote (same attributes, and a value that the crypto-level reader of
# spec/cookies/vectors_spec.rb decodes to the same session).
RSpec.describe "session and cookie vectors through the Rack middleware", kind: :vectors do
  def self.options_for(version, config)
    {
      secret_key_base: config["secret_key_base"], rails_version: version, iterations: config["iterations"],
      key_generator_hash_digest_class: OpenSSL::Digest.const_get(config["key_generator_hash_digest_class"]),
      use_authenticated_cookie_encryption: config["use_authenticated_cookie_encryption"],
      use_cookies_with_metadata: config["use_cookies_with_metadata"],
      cookies_serializer: config["cookies_serializer"].to_sym,
      cookies_digest: config["cookies_digest"], signed_cookie_digest: config["signed_cookie_digest"],
      **config["salts"].transform_keys(&:to_sym)
    }
  end

  def attributes(set_cookie) = set_cookie.sub(/\A[^;]*/, "")

  Vectors.of_kind("session").each do |version, v|
    it "reads and rewrites the #{version} #{v['preset']} session cookie" do
      options = self.class.options_for(version, v["config"])
      seen = nil
      app = Railsess::Session::CookieStore.new(lambda { |env|
        seen = env["rack.session"].to_hash
        env["rack.session"]["touched"] = true
        [200, {}, []]
      }, key: v["key"], domain: :all, same_site: :lax, **options)
      response = Rack::MockRequest.new(app).get("http://#{v['host']}/",
                                                "HTTP_COOKIE" => "#{v['key']}=#{v['cookie_value']}")
      expect(seen).to eq(v["expect"]["session"])

      written = response["Set-Cookie"]
      expect(attributes(written)).to eq(RackSpelling.cookie_attributes(attributes(v["set_cookie"])))
      reader = Vectors.cookie_reader(v["config"], "encrypted", version)
      value = written[/\A[^=]+=([^;]*)/, 1]
      expect(Vectors.read_cookie(reader, v["key"], value, v["config"]["cookies_serializer"]))
        .to eq(v["expect"]["session"].merge("touched" => true))
    end
  end

  Vectors.of_kind("cookie").each do |version, v|
    it "reads the #{version} #{v['preset']} #{v['jar']} cookie #{v['name']} from the cookie jar" do
      config = Railsess::CookieConfig.new(**self.class.options_for(version, v["config"]))
      env = Rack::MockRequest.env_for("http://www.myapp.test/", "HTTP_COOKIE" => "#{v['name']}=#{v['cookie_value']}")
      jar = Railsess::CookieJar.new(env, config)
      expect(jar.public_send(v["jar"])[v["name"]]).to eq(v["expect"]["value"])
    end
  end
end
