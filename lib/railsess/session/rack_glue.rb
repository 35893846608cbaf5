# frozen_string_literal: true

require "securerandom"
require "railsess/session/rack_session"
require "railsess/cookie_domain"
require "railsess/cookie_jar"
require "railsess/flash"
require "railsess/rack_utils"

module Railsess
  module Session
    # What railsess' Rack session middlewares share: Rails' session ids, the request's flash
    # committed into the session before the session is saved (as Rails' controllers do), the
    # request's CookieJar committed with the response, the session cookie's domain resolved as
    # Rails resolves it, and saving a session only when it changed (Rails and Rack save every
    # session that was loaded) unless an expiry has to roll or the id was renewed or dropped.
    module RackGlue
      SNAPSHOT = "railsess.session.snapshot"
      def call(env)
        env[CookieJar::CONFIG] ||= @cookie_config if @cookie_config
        status, headers, body = context(env)
        CookieJar.commit(env, headers)
        [status, headers, body]
      end

      def commit_session(req, res)
        Flash.commit(req.env)
        super
      end

      private

      # Records what a session was when loaded (nil: it must be saved whatever happens).
      def remember_loaded(req, data)
        req.set_header(SNAPSHOT, data && snapshot(data))
      end

      def commit_session?(req, session, options)
        super && (options[:renew] || options[:drop] || options[:expire_after] || options[:max_age] ||
                  changed?(req, session))
      end

      def changed?(req, session)
        snap = req.get_header(SNAPSHOT)
        snap.nil? || snap != snapshot(session.to_hash.delete_if { |_, v| v.nil? })
      end

      # What the session was, comparable with what it is: the JSON text the core writes for plain
      # data (equal text, equal cookie), else a deep copy of JSON-like data, else nil (the data
      # holds other objects: always save then).
      def snapshot(data)
        Native.json_generate(data, 0) || catch(:railsess_unsupported) { deep_copy(data) }
      end

      def deep_copy(value)
        case value
        when Hash
          value.each_with_object({}) do |(k, v), copy|
            throw :railsess_unsupported, nil unless k.is_a?(String)

            copy[k.dup] = deep_copy(v)
          end
        when Array then value.map { |v| deep_copy(v) }
        when String then value.dup
        when Integer, Float, true, false, nil then value
        else throw :railsess_unsupported, nil
        end
      end

      # Rails' ids: 32 hex characters (SecureRandom.hex(16)), not Rack's 64.
      def generate_sid(*)
        RackSession::SessionId.new(SecureRandom.hex(16))
      end

      # Rack's Set-Cookie for `value`, with the options Rails' cookie jar would give it.
      def write_cookie(req, res, cookie, value)
        cookie = cookie.merge(value: value)
        domain = CookieDomain.resolve(cookie[:domain], tld_length: cookie[:tld_length], leading_dot: leading_dot?) do
          req.host
        end
        domain.nil? ? cookie.delete(:domain) : cookie[:domain] = domain
        RackUtils.set_cookie(res, @key, cookie.slice(*CookieJar::COOKIE_OPTIONS))
      end
    end
  end
end
