# frozen_string_literal: true

require "railsess/rails/serialized_cookie_jars"

module Railsess
  module RailsIntegration
    # ActionDispatch::Cookies::EncryptedKeyRotatingCookieJar#initialize, on railsess.
    module EncryptedJar
      include SerializedCookieJars

      private

      def railsess_jar
        auth = request.use_authenticated_cookie_encryption
        key = railsess_key(:encrypted, auth, encrypted_cookie_cipher, digest,
                           request.authenticated_encrypted_cookie_salt, request.encrypted_cookie_salt,
                           request.encrypted_signed_cookie_salt)
        @encryptor = RailsIntegration.fetch(key) { railsess_encryptor }
      end

      def railsess_encryptor
        recipe = CookieJarRecipe.new(request)
        encryptor = rotate_as_rails(recipe.encryptor(Encryptor, serializer: null_serializer), :encrypted)
        if upgrade_legacy_hmac_aes_cbc_cookies? || prepare_upgrade_legacy_hmac_aes_cbc_cookies?
          encryptor.fall_back_to(recipe.upgrade_encryptor(Encryptor, serializer: null_serializer))
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
