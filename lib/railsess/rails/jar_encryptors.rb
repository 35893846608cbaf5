# frozen_string_literal: true

module Railsess
  module RailsIntegration
    # The encrypted jar's encryptors, derived as ActionDispatch derives them. They carry Rails'
    # NullSerializer (serializing is the jar's business) unless given another serializer.
    module JarEncryptors
      module_function

      # The one Rails tries first: the configured AEAD cipher with authenticated encryption,
      # otherwise AES-256-CBC + HMAC with MessageEncryptor's default digest.
      def primary(request, klass, serializer = null_serializer)
        if request.use_authenticated_cookie_encryption
          aead(request, klass, serializer)
        else
          cbc(request, nil, klass, serializer)
        end
      end

      def aead(request, klass, serializer = null_serializer)
        cipher = request.encrypted_cookie_cipher || "aes-256-gcm"
        secret = request.key_generator.generate_key(request.authenticated_encrypted_cookie_salt,
                                                    MessageEncryptor.key_len(cipher))
        klass.new(secret, cipher: cipher, serializer: serializer)
      end

      def cbc(request, digest, klass, serializer = null_serializer)
        secret = request.key_generator.generate_key(request.encrypted_cookie_salt,
                                                    MessageEncryptor.key_len("aes-256-cbc"))
        sign_secret = request.key_generator.generate_key(request.encrypted_signed_cookie_salt)
        klass.new(secret, sign_secret, cipher: "aes-256-cbc", digest: digest, serializer: serializer)
      end

      def null_serializer = ::ActiveSupport::MessageEncryptor::NullSerializer
    end
  end
end
