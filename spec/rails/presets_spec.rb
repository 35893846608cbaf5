# frozen_string_literal: true

require "railsess/presets"
require "railsess/cookie_config"

RSpec.describe Railsess::Presets, kind: :unit do
  context "compared with the loaded railties' load_defaults", :active_support, kind: :compat do
    before(:all) do
      require "rails"
      require "action_controller/railtie"
      Class.new(Rails::Application) unless Rails.application
    end

    %w[5.1 5.2 6.0 6.1].each do |version|
      it "sets what config.load_defaults #{version} sets" do
        # Railtie configurations share their namespaces process-wide: start from fresh ones.
        options = Rails::Railtie::Configuration.class_variable_get(:@@options)
        %i[action_dispatch action_controller].each { |ns| options[ns] = ActiveSupport::OrderedOptions.new }
        config = Rails::Application::Configuration.new(Pathname.new(Dir.tmpdir))
        config.load_defaults(version)
        preset = described_class.fetch(version)
        expected = {
          use_authenticated_cookie_encryption: config.action_dispatch.use_authenticated_cookie_encryption || false,
          use_cookies_with_metadata: config.action_dispatch.use_cookies_with_metadata || false,
          same_site: config.action_dispatch.cookies_same_site_protection,
          urlsafe_csrf_tokens: config.action_controller.urlsafe_csrf_tokens || false,
          per_form_csrf_tokens: config.action_controller.per_form_csrf_tokens,
          forgery_protection_origin_check: config.action_controller.forgery_protection_origin_check,
          key_generator_hash_digest_class: OpenSSL::Digest::SHA1, # 6.1 has no setting: always SHA1
          cookies_serializer: :json # the generated initializer, not load_defaults
        }
        # Rails 7.1 removed urlsafe_csrf_tokens (tokens are always url-safe): its load_defaults no longer say.
        expected.delete(:urlsafe_csrf_tokens) if ActionPack.gem_version >= Gem::Version.new("7.1")
        expect(preset).to include(expected)
      end
    end
  end

  it "switches the KDF to SHA256 from 7.0 and drops the domain's leading dot from 7.1" do
    expect(described_class.fetch("6.1")[:key_generator_hash_digest_class]).to eq(OpenSSL::Digest::SHA1)
    %w[7.0 7.1 7.2 8.0 8.1].each do |v|
      expect(described_class.fetch(v)[:key_generator_hash_digest_class]).to eq(OpenSSL::Digest::SHA256)
      expect(described_class.fetch(v)[:rails_version]).to eq(v)
    end
    config = ->(preset) { Railsess::CookieConfig.new(secret_key_base: "x" * 64, preset: preset) }
    expect(config.call("7.0").leading_dot?).to be(true)
    expect(config.call(7.1).leading_dot?).to be(false)
    expect(config.call("8.0").overflow_counts_name?).to be(false)
    expect(config.call("8.1").overflow_counts_name?).to be(true)
  end

  it "rejects unknown presets and options, and a missing secret" do
    expect { described_class.fetch("4.2") }.to raise_error(ArgumentError, /unknown preset "4.2"/)
    expect { Railsess::CookieConfig.new(secret_key_base: "x" * 64, cookie_serializer: :json) }
      .to raise_error(ArgumentError, /unknown cookie option.*cookie_serializer/)
    expect { Railsess::CookieConfig.new(secret_key_base: nil) }.to raise_error(ArgumentError, /secret_key_base/)
    expect { Railsess::CookieConfig.new(secret_key_base: "") }.to raise_error(ArgumentError, /secret_key_base/)
  end

  it "lets explicit options override the preset, and keeps the secret out of inspect" do
    config = Railsess::CookieConfig.new(secret_key_base: "s3cr3t" * 20, preset: "7.1",
                                        key_generator_hash_digest_class: "sha1", cookies_serializer: "hybrid")
    expect(config.key_generator_hash_digest_class).to eq("sha1")
    expect(config.cookies_serializer).to eq(:hybrid)
    expect(config.inspect).not_to include("s3cr3t")
    expect(config.encrypted.inspect + config.key_generator.inspect).not_to include("s3cr3t")
  end
end
