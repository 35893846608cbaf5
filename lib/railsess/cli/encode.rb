# frozen_string_literal: true

require "rack/utils"

module Railsess
  class CLI
    # `railsess encode JSON`: a cookie a Rails app with these settings reads back as that value.
    class Encode
      def initialize(cli)
        @cli = cli
      end

      def parser(options)
        OptionParser.new do |p|
          p.banner = "Usage: railsess encode JSON [options]\n\n" \
                     "Prints the (escaped) cookie value, or with --set-cookie the whole header line."
          @cli.secret_options(p, options)
          @cli.cookie_options(p, options)
          p.on("--key NAME", "the cookie's name (default: _app_session)") { |v| options[:key] = v }
          p.on("--expires-in SECONDS", Integer, "an expiry, in the cookie and in its metadata") do |v|
            options[:expires_in] = v
          end
          p.on("--set-cookie", "print a Set-Cookie header line") { options[:set_cookie] = true }
          p.on("--domain DOMAIN", "the Set-Cookie domain (a name; :all needs the request's host)") do |v|
            options[:domain] = v
          end
          p.on("-h", "--help", "this help") { options[:help] = true }
        end
      end

      def run(argv)
        options = { key: "_app_session", jar: :encrypted }
        parser = parser(options)
        args = parser.parse(argv)
        return (@cli.stdout.puts(parser) || 0) if options[:help]
        raise Error, "encode needs the value as JSON (see railsess encode --help)" if args.empty?

        value = parse(args.join(" "))
        preset = options[:preset] || CookieConfig::DEFAULT_PRESET
        @cli.stderr.puts("railsess: no --preset given, using #{preset}") unless options[:preset]
        settings = options.slice(:rails_version, :cookies_serializer, :key_generator_hash_digest_class)
        config = CookieConfig.new(secret_key_base: @cli.secret_key_base(options), preset: preset, **settings)
        @cli.stdout.puts(cookie(config, value, options))
        0
      rescue CookieOverflow => e
        raise Error, e.message
      end

      def parse(json)
        ::JSON.parse(json)
      rescue ::JSON::ParserError => e
        raise Error, "the value is not JSON (#{e.message.lines.first.strip})"
      end

      def cookie(config, value, options)
        expires = options[:expires_in] && (Time.now + options[:expires_in])
        codec = options[:jar] == :signed ? config.signed : config.encrypted
        raw = codec.dump(options[:key], value, expires: expires)
        return ::Rack::Utils.escape(raw) unless options[:set_cookie]

        attributes = { value: raw, path: "/", expires: expires, domain: options[:domain], same_site: config.same_site }
        attributes[:httponly] = true if options[:key] == "_app_session" || options[:key].end_with?("_session")
        "Set-Cookie: #{set_cookie_header(options[:key], attributes.compact)}"
      end

      # Rack 3's Utils.set_cookie_header (lower-case attribute names); Rack 2.2 has only the private
      # add_cookie_to_header (`HttpOnly; SameSite=Lax`).
      def set_cookie_header(key, attributes)
        utils = ::Rack::Utils
        return utils.set_cookie_header(key, attributes) if utils.respond_to?(:set_cookie_header)

        utils.add_cookie_to_header(nil, key, attributes)
      end
    end
  end
end
