# frozen_string_literal: true

require "railsess/session/rack_glue"
require "railsess/cookie_config"

module Railsess
  module Session
    # A Rack session middleware that reads and writes the session cookie
    # ActionDispatch::Session::CookieStore writes for the same configuration:
    #
    #   use Railsess::Session::CookieStore, preset: "7.1", secret_key_base: ENV["SECRET_KEY_BASE"],
    #                                       key: "_myapp_session", domain: :all
    #
    # The cookie is the encrypted jar's (see CookieCodec) serialization of the session Hash, whose
    # "session_id" is the public id (32 hex characters, SecureRandom.hex(16) as Rails makes it).
    # Options: the CookieConfig settings (preset:, secret_key_base:, salts, digests, cipher,
    # serializer, metadata, rotations) and Rack's session options (key:, domain: String/Array/:all
    # with tld_length:, path:, secure:, httponly:, same_site:, expire_after:).
    #
    # Unlike Rails, a session that was read but not changed is not written back (no Set-Cookie)
    # unless `expire_after` asks for a rolling expiry, the cookie came through a rotation, or the
    # session id was renewed. A cookie that does not decode is an empty session, never a 500.
    # Cookies set through Railsess::CookieJar.for(env) and the Railsess::Flash of the request are
    # committed by this middleware too.
    class CookieStore < RackSession::Abstract::PersistedSecure
      include RackGlue

      UNPACKED = "railsess.session.unpacked_cookie_data"
      DEFAULT_OPTIONS = RackSession::Abstract::PersistedSecure::DEFAULT_OPTIONS.merge(key: "_session_id").freeze

      attr_reader :cookie_config

      def initialize(app, options = {})
        options = options.transform_keys(&:to_sym)
        config = options.delete(:config)
        crypto, rack = CookieConfig.partition(options)
        @cookie_config = config || CookieConfig.new(**crypto)
        rack[:same_site] = @cookie_config.same_site unless rack.key?(:same_site)
        super(app, rack.merge(cookie_only: true))
      end

      private

      def find_session(req, _sid)
        data = unpacked_cookie_data(req)
        data["session_id"] ||= generate_sid.public_id
        [RackSession::SessionId.new(data["session_id"]), data]
      end

      def extract_session_id(req)
        sid = unpacked_cookie_data(req)["session_id"]
        sid.is_a?(String) ? RackSession::SessionId.new(sid) : nil
      end

      # The decoded session Hash, once per request; a snapshot tells whether it changed.
      def unpacked_cookie_data(req)
        req.fetch_header(UNPACKED) do |key|
          loaded = (value = RackUtils.request_cookies(req)[@key]) && @cookie_config.session_codec.load(@key, value)
          data, rewrite = loaded
          data = {} unless data.is_a?(Hash)
          data = data.transform_keys(&:to_s) unless data.each_key.all?(String)
          remember_loaded(req, loaded && !rewrite ? data : nil)
          req.set_header(key, data)
        end
      end

      def write_session(_req, sid, session_data, _options)
        session_data["session_id"] = sid.public_id
        SessionData.new(sid, session_data)
      end

      def delete_session(req, _sid, options)
        new_sid = generate_sid unless options[:drop]
        req.set_header(UNPACKED, new_sid ? { "session_id" => new_sid.public_id } : {})
        remember_loaded(req, nil)
        new_sid
      end

      def leading_dot? = @cookie_config.leading_dot?

      def set_cookie(req, res, cookie)
        value = @cookie_config.session_codec.dump(@key, cookie[:value], expires: cookie[:expires])
        write_cookie(req, res, cookie, value)
      rescue CookieOverflow
        raise unless @cookie_config.on_cookie_overflow == :skip

        warning = "Warning! #{self.class.name}: session cookie over 4096 bytes; not written."
        req.get_header(::Rack::RACK_ERRORS)&.puts(warning)
      end

      # What write_session hands to set_cookie: the session id and the Hash to serialize.
      class SessionData < SimpleDelegator
        attr_reader :cookie_value

        def initialize(session_id, cookie_value)
          super(session_id)
          @cookie_value = cookie_value
        end
      end
    end
  end
end
