# frozen_string_literal: true

require "date"
require "rack"
require "rack/request"
require "rack/response"
require "railsess/cookie_config"
require "railsess/cookie_domain"
require "railsess/rack_utils"

module Railsess
  # Rails' cookie jar for a Rack request (ActionDispatch::Cookies::CookieJar and its chained jars):
  #
  #   cookies = Railsess::CookieJar.for(env)   # inside Railsess::Cookies or Session::CookieStore
  #   cookies.signed["remember_user_token"]     # => [[1], "token", "1700000000.0"] as Devise wrote it
  #   cookies.encrypted[:prefs] = { value: { "theme" => "dark" }, expires: Time.now + 3600 }
  #   cookies.permanent.signed[:visitor] = 42   # 20 years, like Rails
  #   cookies.delete(:remember_user_token, domain: :all)
  #
  # Signed and encrypted values carry the purpose "cookie.<name>" (with use_cookies_with_metadata)
  # and their expiry, exactly as Rails writes them, so the two apps read each other's cookies.
  # Set-Cookie headers are written when the middleware finishes (CookieJar.commit).
  #
  # A cookie rewritten only because it was read through a rotation or an old serialization is
  # "upgraded": it is not written when the request asks that no session go out
  # (`env["rack.session.options"][:skip]`, e.g. a cacheable response), so a shared cache never
  # stores one visitor's rewritten cookie for others (Rails' fix for CVE-2026-126077). Setting the
  # cookie explicitly afterwards clears the mark; deleting it always goes out.
  class CookieJar
    ENV_KEY = "railsess.cookies"
    CONFIG = "railsess.cookie_config"
    COOKIE_OPTIONS = %i[value domain path expires max_age secure httponly same_site].freeze
    PERMANENT_YEARS = 20

    # The cookie settings of a store without a secret_key_base (Session::RedisStore): plain cookies
    # only, with the domain and SameSite rules of its Rails version.
    class PlainConfig
      attr_reader :same_site

      def initialize(leading_dot:, same_site:)
        @leading_dot = leading_dot
        @same_site = same_site
      end

      def leading_dot? = @leading_dot

      def signed = raise(ArgumentError, "railsess: signed cookies need secret_key_base: on the middleware")
      def encrypted = raise(ArgumentError, "railsess: encrypted cookies need secret_key_base: on the middleware")
    end

    # The request's jar; needs a CookieConfig in env (Railsess::Cookies and the session stores
    # put theirs there).
    def self.for(env)
      env[ENV_KEY] ||= begin
        config = env[CONFIG] or raise ArgumentError,
                                      "railsess: no cookie configuration in env (use Railsess::Cookies or " \
                                      "Railsess::Session::CookieStore, or CookieJar.new(env, config))"
        new(env, config)
      end
    end

    # Adds the Set-Cookie headers of the request's jar, if one was used, to `headers`.
    def self.commit(env, headers)
      jar = env[ENV_KEY]
      jar&.write(headers)
    end

    attr_reader :config

    def initialize(env, config, tld_length: nil)
      @request = ::Rack::Request.new(env)
      @config = config
      @tld_length = tld_length
      @cookies = RackUtils.request_cookies(@request).dup
      @set_cookies = {}
      @delete_cookies = {}
      @upgraded_cookies = {}
      @committed = false
    end

    def inspect = "#<#{self.class.name} #{@cookies.keys.inspect}>"

    def [](name) = @cookies[name.to_s]
    def key?(name) = @cookies.key?(name.to_s)
    def to_hash = @cookies.dup

    def fetch(name, ...)
      @cookies.fetch(name.to_s, ...)
    end

    # Sets a cookie from a value or a Hash of options (value:, expires:, domain:, path:, secure:,
    # httponly:, same_site:, tld_length:).
    def []=(name, options)
      options = options.is_a?(Hash) ? options.transform_keys(&:to_sym) : { value: options }
      value = options[:value]
      handle_options(options)
      @upgraded_cookies.delete(name.to_s)
      return unless @cookies[name.to_s] != value || options[:expires]

      @cookies[name.to_s] = value
      @set_cookies[name.to_s] = options
      @delete_cookies.delete(name.to_s)
    end

    def delete(name, options = {})
      return unless @cookies.key?(name.to_s)

      options = options.transform_keys(&:to_sym)
      handle_options(options)
      value = @cookies.delete(name.to_s)
      @delete_cookies[name.to_s] = options
      value
    end

    def deleted?(name) = @delete_cookies.key?(name.to_s)

    # Marks a cookie just rewritten by a read (ActionDispatch's CookieJar#upgraded).
    def upgraded(name)
      @upgraded_cookies[name.to_s] = true
    end

    def signed = @signed ||= SerializedJar.new(self, @config.signed)
    def encrypted = @encrypted ||= SerializedJar.new(self, @config.encrypted)
    def permanent = @permanent ||= PermanentJar.new(self)

    # Rails' `cookies.signed_or_encrypted`: secret_key_base is always set here.
    def signed_or_encrypted = encrypted

    # Writes the Set-Cookie headers into a Rack headers Hash (once).
    def write(headers)
      return if @committed

      @committed = true
      response = ::Rack::Response::Raw.new(200, headers)
      skip_upgraded = skip_session?
      @set_cookies.each do |name, options|
        next if skip_upgraded && @upgraded_cookies.key?(name)

        RackUtils.set_cookie(response, name, options.slice(*COOKIE_OPTIONS)) if write_cookie?(options)
      end
      @delete_cookies.each { |name, options| response.delete_cookie(name, options.slice(*COOKIE_OPTIONS)) }
    end

    private

    # ActionDispatch::Cookies::CookieJar#handle_options.
    def handle_options(options)
      options[:expires] = options[:expires].from_now if options[:expires].respond_to?(:from_now)
      options[:path] ||= "/"
      options[:same_site] = @config.same_site unless options.key?(:same_site)
      domain = CookieDomain.resolve(options[:domain], tld_length: options.fetch(:tld_length, @tld_length),
                                                      leading_dot: @config.leading_dot?) { @request.host }
      domain.nil? ? options.delete(:domain) : options[:domain] = domain
    end

    def write_cookie?(options)
      @request.ssl? || !options[:secure]
    end

    # Rails' `request.session_options[:skip]` (read without creating the options, as Rack would).
    def skip_session?
      options = @request.get_header(::Rack::RACK_SESSION_OPTIONS)
      options ? options[:skip] : false
    end

    # `cookies.permanent`: expires in 20 years.
    class PermanentJar
      def initialize(parent)
        @parent = parent
      end

      def [](name) = @parent[name]
      def upgraded(name) = @parent.upgraded(name)
      def signed = @signed ||= SerializedJar.new(self, @parent.config.signed)
      def encrypted = @encrypted ||= SerializedJar.new(self, @parent.config.encrypted)
      def config = @parent.config

      def []=(name, options)
        options = options.is_a?(Hash) ? options.transform_keys(&:to_sym) : { value: options }
        options[:expires] = PermanentJar.expiry
        @parent[name] = options
      end

      def self.expiry(now = Time.now)
        years = CookieJar::PERMANENT_YEARS
        return years.years.from_now if years.respond_to?(:years)

        day = [now.day, Date.new(now.year + years, now.month, -1).day].min
        Time.new(now.year + years, now.month, day, now.hour, now.min, now.sec + now.subsec, now.utc_offset)
      end
    end

    # `cookies.signed` / `cookies.encrypted` (chainable: `cookies.permanent.signed`).
    class SerializedJar
      def initialize(parent, codec)
        @parent = parent
        @codec = codec
      end

      def inspect = "#<#{self.class.name} #{@codec.inspect}>"
      def config = @parent.config
      def permanent = @permanent ||= PermanentJar.new(self)
      def upgraded(name) = @parent.upgraded(name)

      # The value Rails would read; a cookie read through a rotation or an old serialization is
      # rewritten in the current format and marked upgraded, as Rails does.
      def [](name)
        loaded = (data = @parent[name.to_s]) && @codec.load(name.to_s, data)
        return nil unless loaded

        value, rewrite = loaded
        if rewrite
          self[name] = { value: value }
          upgraded(name)
        end
        value
      end

      def []=(name, options)
        options = options.is_a?(Hash) ? options.transform_keys(&:to_sym) : { value: options }
        options[:value] = @codec.dump(name.to_s, options[:value], expires: options[:expires])
        @parent[name] = options
      end
    end
  end
end
