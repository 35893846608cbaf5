# frozen_string_literal: true

require "rack"
require "rack/utils"
require "rack/response"

# railsess (see lib/railsess.rb).
module Railsess
  # `Rack::Utils.escape` / `unescape` (URI.encode_www_form_component / decode_www_form_component)
  # in the core: the same bytes, encodings and errors, several times faster on the long base64
  # values of Rails' cookies, whose escaping and unescaping is a large part of what a session costs
  # a request. `Railsess.use_native_rack_escaping!` turns it on for everything using Rack::Utils
  # (the Railtie does, unless `config.railsess.native_rack_escaping = false`); strings the core
  # does not take (not ASCII-compatible, invalid, non-Strings) and every error go to Rack's own
  # methods.
  #
  # railsess' own middlewares use it for the cookies they read and write whatever that switch
  # says: `RackUtils.request_cookies` and `RackUtils.set_cookie` run Rack's own cookie code
  # (Rack::Request#cookies, Rack::Response#set_cookie: Utils.parse_cookies_header and
  # add_cookie_to_header on Rack 2.2, set_cookie_header on Rack 3) on an object that extends
  # Rack::Utils and this module, so Rack's code calls these methods, for those calls only.
  module RackUtils
    class << self
      attr_accessor :enabled

      # Strings the core takes: plain, ASCII-compatible and valid (Ruby's regexps raise on the rest).
      def takes?(string)
        string.instance_of?(String) && string.encoding.ascii_compatible? && string.valid_encoding?
      end

      # `req.cookies`, computed and cached in the env exactly as Rack::Request#cookies does (the
      # same code in Rack 2.2 and 3.0-3.2).
      def request_cookies(req)
        return req.cookies unless COOKIE_CODE

        hash = req.fetch_header(::Rack::RACK_REQUEST_COOKIE_HASH) { |key| req.set_header(key, {}) }
        string = req.get_header(::Rack::HTTP_COOKIE)
        unless string == req.get_header(::Rack::RACK_REQUEST_COOKIE_STRING)
          hash.replace(COOKIES.send(:parse_cookies_header, string))
          req.set_header(::Rack::RACK_REQUEST_COOKIE_STRING, string)
        end
        hash
      end

      # `res.set_cookie(key, value)`, as Response::Helpers#set_cookie does it: Rack 2.2 rewrites the
      # header through add_cookie_to_header, Rack 3.0-3.2 add one set_cookie_header value.
      def set_cookie(res, key, value)
        case COOKIE_CODE
        when :rack22
          res.set_header(::Rack::SET_COOKIE,
                         COOKIES.send(:add_cookie_to_header, res.get_header(::Rack::SET_COOKIE), key, value))
        when :rack3 then res.add_header(::Rack::SET_COOKIE, COOKIES.send(:set_cookie_header, key, value))
        else res.set_cookie(key, value)
        end
      end
    end

    def escape(string)
      return super unless railsess_native?(string)

      Native.www_form_escape(string).force_encoding(Encoding::US_ASCII)
    end

    def unescape(string, encoding = Encoding::UTF_8)
      return super unless railsess_native?(string)

      decoded = Native.www_form_unescape(string)
      decoded ? decoded.force_encoding(encoding) : super # super raises Ruby's ArgumentError
    end

    # parse_cookies_header (what Request#cookies calls) in the core: the same Hash, keys, values
    # and encodings as Rack 2.2's and 3.0-3.2's, which are the same code.
    def parse_cookies_header(header)
      return super unless COOKIE_CODE && railsess_native?(header)

      Native.parse_cookies_header(header) || super
    end

    private

    def railsess_native?(string)
      RackUtils.enabled && RackUtils.takes?(string)
    end

    # The switch that is always on, for COOKIES.
    module AlwaysNative
      private

      def railsess_native?(string) = RackUtils.takes?(string)
    end

    # Rack's cookie functions with the native escaping, always on.
    COOKIES = Object.new.extend(::Rack::Utils).extend(self).extend(AlwaysNative)

    # Which Rack's request/response cookie code the methods above copy: Rack 2.2's (:rack22), or
    # Rack 3.0-3.2's (:rack3; Request#cookies as in 2.2, Response#set_cookie is
    # `add_header(SET_COOKIE, Utils.set_cookie_header(key, value))` in every 3.x release so far).
    # nil: another Rack, whose own code runs (with Rack's escaping).
    COOKIE_CODE =
      case ::Rack.release
      when /\A2\.2\./ then :rack22 if COOKIES.respond_to?(:add_cookie_to_header, true)
      when /\A3\.[012]\./
        :rack3 if COOKIES.respond_to?(:set_cookie_header, true) && ::Rack::Response::Raw.method_defined?(:add_header)
      end
  end
end
