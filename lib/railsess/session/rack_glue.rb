# frozen_string_literal: true

require "securerandom"
require "railsess/session/rack_session"
require "railsess/cookie_domain"
require "railsess/cookie_jar"
require "railsess/flash"

module Railsess
  module Session
    # What railsess' Rack session middlewares share: Rails' session ids, the request's flash
    # committed into the session before the session is saved (as Rails' controllers do), the
    # request's CookieJar committed with the response, and the session cookie's domain resolved as
    # Rails resolves it.
    module RackGlue
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

      # Rails' ids: 32 hex characters (SecureRandom.hex(16)), not Rack's 64.
      def generate_sid(*)
        RackSession::SessionId.new(SecureRandom.hex(16))
      end

      # Rack's Set-Cookie for `value`, with the options Rails' cookie jar would give it.
      def write_cookie(req, res, cookie, value)
        cookie = cookie.merge(value: value)
        domain = CookieDomain.resolve(cookie[:domain], req.host, tld_length: cookie[:tld_length],
                                                                 leading_dot: leading_dot?)
        domain.nil? ? cookie.delete(:domain) : cookie[:domain] = domain
        res.set_cookie(@key, cookie.slice(*CookieJar::COOKIE_OPTIONS))
      end
    end
  end
end
