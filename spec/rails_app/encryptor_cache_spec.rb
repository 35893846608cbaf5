# frozen_string_literal: true

require_relative "app"

# An app that builds its key generator per request (one per tenant, say): the Railtie's jars share
# one encryptor per configuration compared by value, and hold a bounded number of them.
RSpec.describe "the Railtie's encryptor cache with a key generator per request", :active_support do
  let(:integration) { Railsess::RailsIntegration }

  before do
    Railsess.install!
    integration.clear_cache!
  end

  def key_generator(secret)
    ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(secret, iterations: 1000))
  end

  def jar(secret, cookies = {})
    env = Rack::MockRequest.env_for("http://www.myapp.test/").merge(Rails.application.env_config)
    env["action_dispatch.key_generator"] = key_generator(secret)
    env["action_dispatch.secret_key_base"] = secret
    ActionDispatch::Cookies::CookieJar.build(ActionDispatch::Request.new(env), cookies)
  end

  def written(secret)
    cookies = jar(secret)
    cookies.encrypted["e"] = "encrypted for #{secret[0, 4]}"
    cookies.signed["s"] = "signed for #{secret[0, 4]}"
    { "e" => cookies["e"], "s" => cookies["s"] }
  end

  def read(secret, cookies)
    jar = jar(secret, cookies)
    [jar.encrypted["e"], jar.signed["s"]]
  end

  it "keeps one encrypted and one signed codec for 1,000 requests with equal fresh key generators" do
    secret = Rails.application.secret_key_base
    cookies = written(secret)
    1000.times { expect(read(secret, cookies)).to eq(["encrypted for #{secret[0, 4]}", "signed for #{secret[0, 4]}"]) }
    expect(integration.cache.size).to eq(2)
  end

  it "holds a bounded number of codecs for many secrets, and each secret's cookies still read" do
    secrets = Array.new(integration.cache.max_size) { |i| format("%04d", i) + ("t" * 124) }
    cookies = secrets.to_h { |secret| [secret, written(secret)] }
    expect(integration.cache.size).to eq(integration.cache.max_size)
    secrets.reverse_each do |secret|
      expect(read(secret, cookies[secret])).to eq(["encrypted for #{secret[0, 4]}", "signed for #{secret[0, 4]}"])
      expect(read(secret, cookies[secrets.first])).to eq([nil, nil]) unless secret == secrets.first
    end
    expect(integration.cache.size).to eq(integration.cache.max_size)
  end
end
