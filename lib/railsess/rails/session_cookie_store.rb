# frozen_string_literal: true

require "railsess/rails/session_codec"

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
  end
end
