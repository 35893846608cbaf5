# frozen_string_literal: true

require "railsess/rails/serialized_cookie_jars"

module Railsess
  module RailsIntegration
    # ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar#initialize, on railsess.
    module EncryptedJar
      include SerializedCookieJars

      def initialize(parent_jar)
        unless RailsIntegration.enabled?
          super
          return
        end

        @parent_jar = parent_jar
        auth = request.use_authenticated_cookie_encryption
        key = railsess_key(:encrypted, auth, encrypted_cookie_cipher, digest,
                           request.authenticated_encrypted_cookie_salt, request.encrypted_cookie_salt,
                           request.encrypted_signed_cookie_salt)
        @encryptor = RailsIntegration.fetch(key) { railsess_encryptor }
      end

      private

      def railsess_encryptor
        encryptor = rotate_as_rails(JarEncryptors.primary(request, Encryptor), :encrypted)
        if upgrade_legacy_hmac_aes_cbc_cookies?
          encryptor.fall_back_to(JarEncryptors.cbc(request, digest, Encryptor))
        elsif prepare_upgrade_legacy_hmac_aes_cbc_cookies?
          encryptor.fall_back_to(JarEncryptors.aead(request, Encryptor))
        end
        encryptor
      end

      # The jar's encryptor: reports reads through a rotation.
      class Encryptor < MessageEncryptor
        def decrypt_and_verify(message, on_rotation: @on_rotation, purpose: nil, **options)
          rotated = RailsIntegration.reporting(:encrypted, purpose, on_rotation)
          super(message, on_rotation: rotated, purpose: purpose, **options)
        end
      end
    end
  end
end
