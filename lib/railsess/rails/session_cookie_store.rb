# frozen_string_literal: true

module Railsess
  module RailsIntegration
    # ActionDispatch::Session::CookieStore's cookie read and write without the cookie-jar chain.
    #
    # Rails reads the session through `request.cookie_jar.signed_or_encrypted[key]`: an
    # EncryptedKeyRotatingCookieJar built per request (its encryptor, rotations and CBC/GCM
    # fallback), a decrypt with the purpose "cookie.<key>", the serializer, `stringify_keys!`;
    # and writes it back through the same jar. Here the request's *first* encryptor (the one
    # Rails tries before any rotation) is built once per configuration and used directly:
    #
    # * read: a message it decrypts for "cookie.<key>" (or, refused for that purpose, for none) to
    #   JSON text of an object is exactly what the jar would return (no rotation ran, so nothing
    #   is rewritten). Anything else (no such cookie aside) - a rotated secret, a CBC cookie to
    #   upgrade, a Marshal session under :hybrid, tampering - goes through Rails' own jar, which
    #   decides (and rewrites) exactly as it always does;
    # * write: the jar's commit (serializer dump, expiry/purpose metadata, encrypt) into the
    #   request's cookie jar, as AbstractCookieJar#[]= does; a value near the size limit goes
    #   through the jar, which raises CookieOverflow as the running Rails version does.
    #
    # Only for an encrypted session (secret_key_base set) with the :json or :hybrid cookie
    # serializer, or on Rails 7.1+ :message_pack / :message_pack_allow_marshal (Rails' own
    # MessagePack serializer step, for MessagePack dumps only), while RailsIntegration is enabled,
    # and for a store that reads and writes its cookie as CookieStore does; otherwise Rails'
    # methods run unchanged.
    module SessionCookieStore
      UNSIGNED_SESSION_COOKIE = "action_dispatch.request.unsigned_session_cookie"

      private

      # CookieStore#unpacked_cookie_data, with the session read above. Parsed JSON has String
      # keys already, so `stringify_keys!` is only needed on the jar's path.
      def unpacked_cookie_data(req)
        codec = railsess_session_codec(req)
        return super unless codec

        req.fetch_header(UNSIGNED_SESSION_COOKIE) do |k|
          data = stale_session_check! do
            message = req.cookie_jar[@key]
            value = message && codec.read(message, railsess_purpose)
            if SessionCodec::UNREAD.equal?(value)
              value = get_cookie(req)
              # Not `&.`: a session of `false` is an empty one in Rails, not an error.
              value.stringify_keys! if value # rubocop:disable Style/SafeNavigation
            end
            value || {}
          end
          req.set_header(k, data)
        end
      end

      def set_cookie(request, session_id, cookie)
        codec = railsess_session_codec(request)
        # Symbol keys only (as Rack's commit_session builds it): the parent jar's own
        # `symbolize_keys!` then changes nothing the commit below reads.
        return super unless codec && cookie.is_a?(Hash) && cookie.keys.all?(Symbol)
        return super unless codec.commit(@key.to_s, cookie, railsess_purpose)

        request.cookie_jar[@key] = cookie
      end

      # Not for a store whose class (a subclass, a later prepend) changes how the session cookie
      # is read or written: those run as they are written.
      def railsess_own_cookie_path?
        return @railsess_own_cookie_path unless @railsess_own_cookie_path.nil?

        store = ::ActionDispatch::Session::CookieStore
        @railsess_own_cookie_path = %i[get_cookie cookie_jar].all? { |name| method(name).owner == store } &&
                                    %i[unpacked_cookie_data set_cookie].all? do |name|
                                      method(name).owner == SessionCookieStore
                                    end
      end

      def railsess_purpose
        @railsess_purpose ||= "cookie.#{@key}"
      end

      # The codec for this request's settings, nil when Rails' path must run: one per
      # configuration (compared by value; a Rails app's requests all carry the same config
      # objects), looked up once per request.
      def railsess_session_codec(request)
        return unless RailsIntegration.enabled? && railsess_own_cookie_path?

        env = request.env
        env.fetch(SessionCodec::ENV_KEY) do
          settings = env.values_at(*SessionCodec::SETTINGS)
          cached = @railsess_session_codec
          unless cached && cached.first == settings
            cached = [settings, SessionCodec.build(request)].freeze
            @railsess_session_codec = cached
          end
          env[SessionCodec::ENV_KEY] = cached.last
        end
      end
    end

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
        return new(JarEncryptors.primary(request, MessageEncryptor), metadata) if Compat.level >= 71

        # Rails 6.1/7.0 check the metadata on the decrypted text, before any serializer: an
        # encryptor with the JSON serializer reads and writes exactly what the jar's
        # NullSerializer plus its JSON step do, in one call into the core.
        OneStep.new(JarEncryptors.primary(request, MessageEncryptor, Railsess::JSON), metadata)
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

          new(JarEncryptors.primary(request, MessageEncryptor), metadata,
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
