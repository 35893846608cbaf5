# frozen_string_literal: true

require "railsess/presets"
require "railsess/cookie_codec"

module Railsess
  # The settings that decide a Rails app's cookie format, named like Rails' configuration
  # (`config.action_dispatch.*`, `config.active_support.key_generator_hash_digest_class`,
  # `config.secret_key_base`), resolved once: a preset's values, then explicit options.
  #
  #   config = Railsess::CookieConfig.new(preset: "7.1", secret_key_base: ENV["SECRET_KEY_BASE"])
  #   config.encrypted.load("remember", cookie)   # => [value, rewrite?] or nil
  #
  # Key derivation is Rails': PBKDF2(secret_key_base, salt, iterations, digest), cached per salt.
  # `key_rotations:` reads cookies written with other secret_key_bases, KDF digests or iteration
  # counts (e.g. `[{ key_generator_hash_digest_class: OpenSSL::Digest::SHA1 }]` while a deploy
  # moves from SHA1 to SHA256); `cookies_rotations:` takes Rails' own
  # `config.action_dispatch.cookies_rotations` (or `{ encrypted: [[secret, opts]], signed: [...] }`).
  class CookieConfig
    SALTS = {
      signed_cookie_salt: "signed cookie",
      encrypted_cookie_salt: "encrypted cookie",
      encrypted_signed_cookie_salt: "signed encrypted cookie",
      authenticated_encrypted_cookie_salt: "authenticated encrypted cookie"
    }.freeze

    DEFAULTS = {
      encrypted_cookie_cipher: nil, cookies_digest: nil, signed_cookie_digest: nil,
      cookies_rotations: nil, key_rotations: [], on_cookie_overflow: :raise
    }.merge(SALTS).freeze

    OPTIONS = (DEFAULTS.keys + Presets::BASE.keys + %i[secret_key_base preset]).freeze
    DEFAULT_PRESET = "8.1"

    attr_reader(*(OPTIONS - %i[secret_key_base preset]))

    # Splits `options` into [the cookie-format settings, the rest].
    def self.partition(options)
      options.partition { |key, _| OPTIONS.include?(key) }.map(&:to_h)
    end

    def initialize(secret_key_base:, preset: DEFAULT_PRESET, **options)
      unknown = options.keys - OPTIONS
      raise ArgumentError, "railsess: unknown cookie option(s) #{unknown.map(&:inspect).join(', ')}" if unknown.any?
      unless secret_key_base.is_a?(String) && !secret_key_base.empty?
        raise ArgumentError, "railsess: secret_key_base must be a non-empty String"
      end

      @secret_key_base = secret_key_base
      settings = DEFAULTS.merge(Presets.fetch(preset)).merge(options)
      settings.each { |name, value| instance_variable_set(:"@#{name}", value) }
      @cookies_serializer = @cookies_serializer&.to_sym if @cookies_serializer.is_a?(String)
      @key_generator = key_generator_for(secret_key_base, @iterations, @key_generator_hash_digest_class)
      @compat = Compat.level(@rails_version)
      @overflow_counts_name = Gem::Version.new(@rails_version.to_s) >= Gem::Version.new("8.1")
      @encrypted = CookieCodec.new(self, :encrypted)
      @signed = CookieCodec.new(self, :signed)
      freeze
    end

    # The codecs of `cookies.encrypted` and `cookies.signed`.
    attr_reader :encrypted, :signed, :key_generator, :compat

    # Rails' session cookie store uses the encrypted jar whenever secret_key_base is set.
    def session_codec = @encrypted

    # "7.1+ writes `domain: :all` without the leading dot."
    def leading_dot? = @compat.leading_dot_cookie_domain?

    # Rails 8.1 counts the cookie's name towards the 4096 bytes.
    def overflow_counts_name? = @overflow_counts_name

    def inspect
      "#<#{self.class.name} rails_version=#{@rails_version.inspect} " \
        "gcm=#{@use_authenticated_cookie_encryption.inspect} metadata=#{@use_cookies_with_metadata.inspect} " \
        "serializer=#{@cookies_serializer.inspect}>"
    end

    # A CachingKeyGenerator for another secret/digest/iteration count (rotations).
    def key_generator_for(secret_key_base, iterations, digest)
      CachingKeyGenerator.new(KeyGenerator.new(secret_key_base, iterations: iterations,
                                                                hash_digest_class: digest_class(digest)))
    end

    # `config.action_dispatch.cookies_rotations` entries for `kind` (:encrypted / :signed).
    def rails_rotations(kind)
      rotations = @cookies_rotations
      return [] if rotations.nil?
      return rotations.public_send(kind) if rotations.respond_to?(kind)

      Array(rotations[kind] || rotations[kind.to_s])
    end

    private

    # Rotations that change only the KDF digest or iterations reuse the current secret.
    def secret_key_base_for_rotation = @secret_key_base

    def digest_class(digest)
      case digest
      when Class then digest
      when String, Symbol then OpenSSL::Digest.const_get(digest.to_s.upcase.delete("-"))
      else raise ArgumentError, "railsess: key_generator_hash_digest_class must be an OpenSSL::Digest class"
      end
    end
  end
end
