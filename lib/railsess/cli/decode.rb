# frozen_string_literal: true

require "cgi"
require "railsess/cookie_jar_recipe"

module Railsess
  class CLI
    # `railsess decode COOKIE`: which settings open the cookie, and what it holds.
    class Decode
      # The distinct (KDF digest, GCM?) pairs the presets use, newest first, plus SHA256 + CBC.
      GUESSES = [["8.1", {}], ["6.1", {}], ["5.1", {}],
                 ["5.1", { key_generator_hash_digest_class: OpenSSL::Digest::SHA256 }]].freeze
      PRESETS_OF = {
        [OpenSSL::Digest::SHA256, true] => %w[7.0 7.1 7.2 8.0 8.1], [OpenSSL::Digest::SHA1, true] => %w[5.2 6.0 6.1],
        [OpenSSL::Digest::SHA1, false] => %w[5.1], [OpenSSL::Digest::SHA256, false] => []
      }.freeze
      COOKIE_PAIR = /\A([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=([^;]*)/

      def initialize(cli)
        @cli = cli
      end

      def parser(options)
        OptionParser.new do |p|
          p.banner = "Usage: railsess decode COOKIE_OR_SET_COOKIE_HEADER [options]\n\n" \
                     "Prints the cookie as JSON with the settings that opened it. Without --preset, " \
                     "tries the presets' key derivations and ciphers."
          @cli.secret_options(p, options)
          @cli.cookie_options(p, options)
          p.on("--key NAME", "the cookie's name (e.g. _myapp_session)") { |v| options[:key] = v }
          p.on("--allow-marshal", "load Marshal payloads (runs Ruby's Marshal on the cookie's bytes)") do
            options[:allow_marshal] = true
          end
          p.on("-h", "--help", "this help") { options[:help] = true }
        end
      end

      def run(argv)
        options = {}
        parser = parser(options)
        args = parser.parse(argv)
        return (@cli.stdout.puts(parser) || 0) if options[:help]
        raise Error, "decode needs the cookie (see railsess decode --help)" if args.empty?

        secret = @cli.secret_key_base(options)
        tried = candidates(args.join(" "), options[:key])
        found = tried.lazy.filter_map { |name, value, _| open_with(secret, name, value, options) }.first
        raise Error, not_opened(tried, options) unless found

        @cli.stdout.puts(::JSON.pretty_generate(found))
        0
      end

      # [[name, value, form]] to try: the cookie pairs of a header line, then the whole input as a
      # value, each in the forms `readings` gives.
      def candidates(input, key)
        text = input.strip.sub(/\A(set-)?cookie:\s*/i, "")
        pairs = text.split(/;\s*/).filter_map { |part| COOKIE_PAIR.match(part)&.captures }
        pairs = pairs.first(1) if input.strip.match?(/\Aset-cookie:/i)
        pairs.select! { |name, _| name == key } if key
        tries = (pairs + [[key, text]]).flat_map do |name, value|
          readings(value).map { |form, reading| [name, reading, form] }
        end
        tries.uniq { |name, value, _| [name, value] }
      end

      # [[form, value]], likelier first. A cookie as a browser sends it (a Set-Cookie or Cookie
      # header) is escaped like Rack::Utils.escape, so "%" means escaped; signed and encrypted
      # values never hold a space, so a "+" without a "%" is base64's own "+": a value someone
      # already unescaped (another port's fixture, a browser's devtools), to try as given first.
      def readings(value)
        unescaped = ["URL-unescaped", CGI.unescape(value)]
        return [["as given", value]] if unescaped.last == value

        value.include?("%") ? [unescaped, ["as given", value]] : [["as given", value], unescaped]
      end

      # One line: what was tried, so a wrong guess about the input shows (never the secret).
      def not_opened(tried, options)
        inputs = tried.group_by(&:first).map do |name, readings|
          "#{name ? "cookie #{name}" : 'the whole input'} #{readings.map(&:last).uniq.join(' and ')}"
        end
        presets = configs(options).map do |preset, overrides|
          digest = overrides[:key_generator_hash_digest_class]
          digest ? "#{preset} with #{digest.name.split('::').last}" : preset
        end
        "no preset/jar opened this cookie with this secret_key_base (wrong secret, cookie name, or salts?); " \
          "tried #{inputs.join(', ')}; presets #{presets.join(', ')}; jars #{jars(options).join(', ')}"
      end

      def open_with(secret, name, value, options)
        configs(options).each do |preset, overrides|
          config = CookieConfig.new(secret_key_base: secret, preset: preset, **overrides,
                                    **options.slice(:rails_version, :key_generator_hash_digest_class))
          jars(options).each do |jar|
            opened = Inspect.new(config, jar).call(value)
            return report(name, jar, config, opened, options) if opened
          end
        end
        nil
      end

      def configs(options)
        return [[options[:preset], {}]] if options[:preset]

        GUESSES
      end

      def jars(options) = options[:jar] ? [options[:jar]] : %i[encrypted signed]

      def report(name, jar, config, opened, options)
        message, expires_at, purpose, kind = opened
        gcm = kind == :gcm
        fields = {
          "cookie" => name, "jar" => jar.to_s,
          "cipher" => { gcm: "aes-256-gcm", cbc: "aes-256-cbc" }[kind],
          "signature" => jar == :signed ? "HMAC-#{config.signed_cookie_digest || 'SHA1'}" : nil,
          "key_derivation" => "PBKDF2-HMAC-#{digest_name(config)}, #{config.iterations} iterations",
          "presets" => options[:preset] ? [options[:preset]] : presets(config, jar, gcm),
          "metadata" => purpose || expires_at ? "_rails envelope" : "none"
        }.compact
        fields.merge("purpose" => purpose, "expires_at" => expires_at, **payload(message, options))
      end

      # The presets these keys fit (a signed cookie does not tell GCM from CBC).
      def presets(config, jar, gcm)
        digest = config.key_generator_hash_digest_class
        return PRESETS_OF.fetch([digest, gcm]) unless jar == :signed

        PRESETS_OF.fetch([digest, true]) | PRESETS_OF.fetch([digest, false])
      end

      def digest_name(config) = config.key_generator_hash_digest_class.name.split("::").last

      def payload(message, options)
        if message.start_with?(Serializers::MARSHAL_SIGNATURE)
          return { "serializer" => "marshal", "value" => Marshal.load(message).inspect } if options[:allow_marshal] # rubocop:disable Security/MarshalLoad

          return { "serializer" => "marshal", "value" => nil,
                   "note" => "Marshal payload not loaded (#{message.bytesize} bytes); --allow-marshal loads it" }
        end
        { "serializer" => "json", "value" => ::JSON.parse(message) }
      rescue ::JSON::ParserError
        { "serializer" => "unknown", "value" => message.dup.force_encoding(Encoding::UTF_8).scrub }
      end

      # Opens a cookie with one configuration's keys: [message, expires_at, purpose, cipher] or nil.
      class Inspect
        def initialize(config, jar)
          @config = config
          @jar = jar
        end

        def call(value)
          recipe = CookieJarRecipe.new(@config)
          core = Core.new(@config.compat)
          return unpack(verify(recipe.verifier(core), value), :hmac) if @jar == :signed

          [recipe.encryptor(core), recipe.upgrade_encryptor(core)].compact.each do |(encryptor, kind)|
            opened = unpack(decrypt(encryptor, value), kind)
            return opened if opened
          end
          nil
        end

        # Builds, for CookieJarRecipe, the core's own encryptor or verifier ([object, kind]): the
        # CLI reports the metadata (purpose, expiry) that MessageEncryptor/MessageVerifier keep
        # to themselves. Ciphers the core does not run are skipped (nil).
        class Core
          def initialize(level)
            @code = level.code
          end

          def new(secret, sign_secret = nil, cipher: nil, digest: nil)
            return Native::Verifier.new(secret, digest, false, @code) unless cipher
            return [Native::Encryptor.gcm(secret, false, @code), :gcm] if cipher == "aes-256-gcm"

            return unless cipher == "aes-256-cbc"

            [Native::Encryptor.cbc(secret, sign_secret, digest || "SHA1", false, @code), :cbc]
          end
        end

        def decrypt(encryptor, value)
          encryptor.decrypt(value)
        rescue Native::FormatError, Native::SignatureError
          nil
        end

        def verify(verifier, value)
          verifier.verified(value)
        rescue Native::FormatError, Native::SignatureError
          nil
        end

        def unpack(result, kind)
          case result
          when String then [result, nil, nil, kind]
          when Array then [*result.first(3), kind]
          end
        end
      end
    end
  end
end
