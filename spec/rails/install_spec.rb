# frozen_string_literal: true

require "json"
require "open3"
require "rbconfig"

# `Railsess.install!` as the README shows it outside a Railtie, each time in a fresh Ruby (what was
# loaded before decides whether the method exists at all).
RSpec.describe "Railsess.install! outside a Railtie", kind: :unit do
  lib = File.expand_path("../../lib", __dir__)

  # Builds a Rails request's jar after install! and reports what it runs on, and a round trip.
  jar_check = <<~RUBY
    require "active_support/key_generator"
    require "active_support/messages/rotation_configuration"
    require "rack/mock"
    secret = "s" * 128
    env = {
      "action_dispatch.key_generator" => ActiveSupport::CachingKeyGenerator.new(
        ActiveSupport::KeyGenerator.new(secret, iterations: 1000)
      ),
      "action_dispatch.secret_key_base" => secret,
      "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie",
      "action_dispatch.signed_cookie_salt" => "signed cookie",
      "action_dispatch.use_authenticated_cookie_encryption" => true,
      "action_dispatch.use_cookies_with_metadata" => true,
      "action_dispatch.cookies_serializer" => :json,
      "action_dispatch.cookies_rotations" => ActiveSupport::Messages::RotationConfiguration.new
    }
    jar = ->(cookies = {}) { ActionDispatch::Cookies::CookieJar.build(ActionDispatch::Request.new(Rack::MockRequest.env_for("/").merge(env)), cookies) }
    written = jar.call
    written.encrypted["e"] = "v"
    written.signed["s"] = "w"
    read = jar.call("e" => written["e"], "s" => written["s"])
    puts JSON.generate(
      "encryptor" => read.encrypted.instance_variable_get(:@encryptor).class.name,
      "verifier" => read.signed.instance_variable_get(:@verifier).class.name,
      "read" => [read.encrypted["e"], read.signed["s"]]
    )
  RUBY

  def ruby(lib, code, *flags)
    out, err, status = Open3.capture3({ "RUBYLIB" => nil }, RbConfig.ruby, *flags, "-I", lib, "-e", code)
    [out, err, status.exitstatus]
  end

  {
    "railsess first, then action_dispatch" => %(require "json"; require "railsess"; require "action_dispatch"),
    "action_dispatch first" => %(require "json"; require "action_dispatch"; require "railsess")
  }.each do |order, requires|
    it "works after require #{order}, and the jars built afterwards are railsess'" do
      out, err, code = ruby(lib, "#{requires}\nRailsess.install!\n#{jar_check}")
      expect([code, err]).to eq([0, ""])
      expect(JSON.parse(out)).to eq(
        "encryptor" => "Railsess::RailsIntegration::EncryptedJar::Encryptor",
        "verifier" => "Railsess::RailsIntegration::SignedJar::Verifier",
        "read" => %w[v w]
      )
    end
  end

  it "hands jars back to ActiveSupport after Railsess.uninstall!" do
    script = %(require "json"; require "railsess"; Railsess.install!; Railsess.uninstall!\n#{jar_check})
    out, err, code = ruby(lib, script)
    expect([code, err]).to eq([0, ""])
    expect(JSON.parse(out)).to include("encryptor" => "ActiveSupport::MessageEncryptor",
                                       "verifier" => "ActiveSupport::MessageVerifier", "read" => %w[v w])
  end

  it "does not load ActionDispatch on require \"railsess\", nor on uninstall! alone" do
    out, err, code = ruby(lib, %(require "railsess"; Railsess.uninstall!; p defined?(ActionDispatch)))
    expect([code, err, out]).to eq([0, "", "nil\n"])
  end

  it "says what is missing when ActionDispatch cannot be loaded" do
    # Without RubyGems, Debian's actionpack (a gem) is not on the load path; railsess and its
    # standard-library needs are.
    out, err, code = ruby(lib, <<~RUBY, "--disable-gems")
      require "railsess"
      begin
        Railsess.install!
      rescue LoadError => e
        puts e.message
      end
    RUBY
    expect([code, err]).to eq([0, ""])
    expect(out).to start_with("Railsess.install! puts ActionDispatch's cookie jars on railsess, but ActionDispatch " \
                              "(the actionpack gem) cannot be loaded (cannot load such file -- action_dispatch)")
  end
end
