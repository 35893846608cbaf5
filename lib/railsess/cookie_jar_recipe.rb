# frozen_string_literal: true

require "railsess/message_encryptor"
require "railsess/message_verifier"

module Railsess
  # How ActionDispatch builds its encrypted and signed cookie jars' encryptor and verifier
  # (Encrypted/SignedKeyRotatingCookieJar#initialize), from settings by Rails' names, which
  # ActionDispatch::Request and CookieConfig both answer: key_generator,
  # use_authenticated_cookie_encryption, encrypted_cookie_cipher, the four salts,
  # signed_cookie_digest, cookies_digest.
  #
  #   encrypted, authenticated  key(authenticated_encrypted_cookie_salt, key_len(cipher)),
  #                             cipher: encrypted_cookie_cipher || "aes-256-gcm";
  #                             also reads CBC with HMAC cookies_digest || SHA1 (the upgrade)
  #   encrypted, legacy         key(encrypted_cookie_salt, 32) + key(encrypted_signed_cookie_salt),
  #                             cipher: "aes-256-cbc", MessageEncryptor's default digest;
  #                             also reads the authenticated one
  #   signed                    key(signed_cookie_salt), digest: signed_cookie_digest || "SHA1"
  #
  # `klass` builds each one: MessageEncryptor / MessageVerifier or a subclass, with the caller's
  # options (serializer, rails_version, ...), as `klass.new(secret[, sign_secret], cipher:/digest:, ...)`.
  class CookieJarRecipe
    def initialize(settings, key_generator: settings.key_generator)
      @settings = settings
      @keys = key_generator
    end

    # The encryptor Rails writes with (and tries first).
    def encryptor(klass, **options)
      @settings.use_authenticated_cookie_encryption ? aead(klass, **options) : cbc(klass, **options)
    end

    # The one it also reads, to upgrade from (CBC under authenticated encryption) or prepare
    # for (the authenticated one under CBC).
    def upgrade_encryptor(klass, **options)
      if @settings.use_authenticated_cookie_encryption
        cbc(klass, digest: @settings.cookies_digest || "SHA1", **options)
      else
        aead(klass, **options)
      end
    end

    def aead(klass, **options)
      cipher = @settings.encrypted_cookie_cipher || "aes-256-gcm"
      secret = @keys.generate_key(@settings.authenticated_encrypted_cookie_salt, MessageEncryptor.key_len(cipher))
      klass.new(secret, cipher: cipher, **options)
    end

    # `digest: nil` is MessageEncryptor's default (what the legacy jar writes with).
    def cbc(klass, digest: nil, **options)
      secret = @keys.generate_key(@settings.encrypted_cookie_salt, MessageEncryptor.key_len("aes-256-cbc"))
      sign_secret = @keys.generate_key(@settings.encrypted_signed_cookie_salt)
      klass.new(secret, sign_secret, cipher: "aes-256-cbc", digest: digest, **options)
    end

    def verifier(klass, **options)
      secret = @keys.generate_key(@settings.signed_cookie_salt)
      klass.new(secret, digest: @settings.signed_cookie_digest || "SHA1", **options)
    end
  end
end
