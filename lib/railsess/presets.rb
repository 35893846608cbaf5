# frozen_string_literal: true

require "openssl"

module Railsess
  # What `config.load_defaults <version>` sets for the cookie format, plus `cookies_serializer: :json`
  # (what every generated app sets in config/initializers/cookies_serializer.rb), so that a Rack app
  # matches a Rails app with one line: `preset: "7.1"`. Explicit options override a preset.
  #
  # `rails_version` is the Rails code the cookies behave like where the code changed rather than a
  # setting: the leading dot of `domain: :all` (gone in 7.1), how messages are split (Compat), the
  # overflow check (8.1 counts the name too). A Rails 7.1 app still on `load_defaults 6.1` writes
  # like 7.1: pass `rails_version: "7.1"` with `preset: "6.1"`.
  module Presets
    VERSIONS = %w[5.1 5.2 6.0 6.1 7.0 7.1 7.2 8.0 8.1].freeze

    # load_defaults 5.0 / 5.1: CBC + HMAC-SHA1 cookies, SHA1 key derivation, no metadata.
    BASE = {
      rails_version: "6.1",
      iterations: 1000,
      key_generator_hash_digest_class: OpenSSL::Digest::SHA1,
      use_authenticated_cookie_encryption: false,
      use_cookies_with_metadata: false,
      cookies_serializer: :json,
      same_site: nil,
      per_form_csrf_tokens: true,
      forgery_protection_origin_check: true,
      urlsafe_csrf_tokens: false
    }.freeze

    # What each version's load_defaults adds to the previous one.
    CHANGES = {
      "5.1" => {},
      "5.2" => { use_authenticated_cookie_encryption: true },
      "6.0" => { use_cookies_with_metadata: true },
      "6.1" => { same_site: :lax, urlsafe_csrf_tokens: true },
      "7.0" => { rails_version: "7.0", key_generator_hash_digest_class: OpenSSL::Digest::SHA256 },
      "7.1" => { rails_version: "7.1" },
      "7.2" => { rails_version: "7.2" },
      "8.0" => { rails_version: "8.0" },
      "8.1" => { rails_version: "8.1" }
    }.freeze

    module_function

    # The settings of `preset` (a String or Numeric such as "7.1" or 7.1).
    def fetch(preset)
      version = preset.is_a?(Float) ? format("%.1f", preset) : preset.to_s
      unless VERSIONS.include?(version)
        raise ArgumentError, "railsess: unknown preset #{preset.inspect} (one of #{VERSIONS.join(', ')})"
      end

      VERSIONS.take_while { |v| v <= version }.inject(BASE) { |acc, v| acc.merge(CHANGES.fetch(v)) }
    end
  end
end
