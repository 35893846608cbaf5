# frozen_string_literal: true

require "railsess/cookie_jar_recipe"

module Railsess
  # Rails' cookie jars and session stores on railsess (see lib/railsess/rails_integration.rb).
  module RailsIntegration
    # The session cookie's first encryptor and the jar's serializer step around it.
    class SessionCodec
      UNREAD = Object.new.freeze
      ENV_KEY = "railsess.session_codec"
      # What the codec is built from: the request's cookie settings (ActionDispatch::Request's
      # cookie methods read these env keys). Rotations are not among them: the codec never
      # tries one.
      SETTINGS = %w[
        action_dispatch.key_generator action_dispatch.secret_key_base
        action_dispatch.use_authenticated_cookie_encryption action_dispatch.encrypted_cookie_cipher
        action_dispatch.authenticated_encrypted_cookie_salt action_dispatch.encrypted_cookie_salt
        action_dispatch.encrypted_signed_cookie_salt action_dispatch.cookies_serializer
        action_dispatch.use_cookies_with_metadata
      ].freeze
      JSON_SERIALIZERS = %i[json hybrid].freeze
      MESSAGE_PACK_SERIALIZERS = %i[message_pack message_pack_allow_marshal].freeze

      def self.build(request)
        return unless request.secret_key_base.present?

        serializer = request.cookies_serializer
        metadata = request.use_cookies_with_metadata
        return MessagePackCodec.build(request, metadata, serializer) if MESSAGE_PACK_SERIALIZERS.include?(serializer)
        return unless JSON_SERIALIZERS.include?(serializer)
        return new(primary(request), metadata) if Compat.level.codec_71?

        # Rails 6.1/7.0 check the metadata on the decrypted text, before any serializer: an
        # encryptor with the JSON serializer reads and writes exactly what the jar's
        # NullSerializer plus its JSON step do, in one call into the core.
        OneStep.new(primary(request, Railsess::JSON), metadata)
      end

      # The session cookie's encryptor: the encrypted jar's first one, with the jar's
      # NullSerializer unless another serializer stands in for the jar's step.
      def self.primary(request, serializer = ::ActiveSupport::MessageEncryptor::NullSerializer)
        CookieJarRecipe.new(request).encryptor(MessageEncryptor, serializer: serializer)
      end

      def initialize(encryptor, metadata)
        @encryptor = encryptor
        @metadata = metadata
      end

      # The session Hash, or UNREAD when the jar must decide. As AbstractCookieJar#[] does, a
      # message refused for its purpose or expiry (nil, not an error: no rotation runs then) is
      # read again without a purpose, which is how a cookie written without metadata reads.
      def read(message, purpose)
        value = @encryptor.decrypt_and_verify(message, purpose: purpose)
        value = @encryptor.decrypt_and_verify(message) if value.nil?
        value = load(value)
        value.is_a?(Hash) ? value : UNREAD
      rescue StandardError
        UNREAD
      end

      # The jar's commit: cookie[:value] becomes the encrypted session; false (cookie untouched)
      # when the jar must write it.
      def commit(name, cookie, purpose)
        expires = cookie[:expires]
        purpose = nil unless @metadata
        data = dump(cookie[:value])
        value = if expires.respond_to?(:from_now)
                  @encryptor.encrypt_and_sign(data, expires_in: expires, purpose: purpose)
                else
                  @encryptor.encrypt_and_sign(data, expires_at: expires, purpose: purpose)
                end
        return false if name.bytesize + value.bytesize > ::ActionDispatch::Cookies::MAX_COOKIE_SIZE

        cookie[:value] = value
        true
      rescue StandardError
        false
      end

      private

      # The jar's serializer step: JSON text of an object only (a Marshal dump under :hybrid,
      # anything else, goes to the jar).
      def load(json)
        json.is_a?(String) && json.start_with?("{") ? JsonSerializer.load(json) : UNREAD
      end

      def dump(value) = JsonSerializer.dump(value)

      # Rails 6.1/7.0: the encryptor serializes.
      class OneStep < SessionCodec
        private

        def load(value) = value
        def dump(value) = value
      end

      # Rails 7.1+'s :message_pack cookies: the jar's serializer
      # (ActiveSupport::Messages::SerializerWithFallback) around the same encryptor. Only a
      # MessagePack dump is read here: one in another format (JSON, Marshal) goes to the jar, which
      # falls back to it (or refuses it) and rewrites it.
      class MessagePackCodec < SessionCodec
        # nil (Rails' jar runs, and raises what it raises) before Rails 7.1 or without msgpack.
        def self.build(request, metadata, serializer)
          return if RailsIntegration.plain_json_cookies?

          new(primary(request), metadata,
              ::ActiveSupport::Messages::SerializerWithFallback[serializer])
        rescue LoadError
          nil
        end

        def initialize(encryptor, metadata, serializer)
          super(encryptor, metadata)
          @serializer = serializer
        end

        private

        # CookieStore's `stringify_keys!` on what the jar returns (MessagePack keeps Symbol keys).
        def load(dumped)
          return UNREAD unless dumped.is_a?(String) && @serializer.dumped?(dumped)

          value = @serializer.load(dumped)
          value.is_a?(Hash) ? value.stringify_keys! : UNREAD
        end

        def dump(value) = @serializer.dump(value)
      end
    end
  end
end
