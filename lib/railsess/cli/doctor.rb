# frozen_string_literal: true

module Railsess
  class CLI
    # `railsess doctor [RAILS_ROOT]`: boots the app (config/environment.rb), prints the settings
    # that decide its cookie format, the railsess line for a Rack app that matches, and known traps.
    class Doctor
      REDIS = 'redis: { url: ENV.fetch("REDIS_URL") }'
      CRYPTO_KEYS = %i[use_authenticated_cookie_encryption use_cookies_with_metadata
                       key_generator_hash_digest_class].freeze

      def initialize(cli)
        @cli = cli
      end

      def run(argv)
        options = {}
        parser = OptionParser.new do |p|
          p.banner = "Usage: railsess doctor [RAILS_ROOT] [options]\n\n" \
                     "Boots the Rails app at RAILS_ROOT (default: .) and prints its cookie settings."
          p.on("--host HOST", "check `domain: :all` for this host (e.g. www.myapp.com)") { |v| options[:host] = v }
          p.on("-h", "--help", "this help") { options[:help] = true }
        end
        args = parser.parse(argv)
        return (@cli.stdout.puts(parser) || 0) if options[:help]

        app = boot(File.expand_path(args.first || "."))
        settings = Settings.new(app)
        report(settings, options)
        0
      end

      def boot(root)
        environment = File.join(root, "config", "environment.rb")
        raise Error, "#{root} is not a Rails app (no config/environment.rb)" unless File.file?(environment)

        Dir.chdir(root) { require environment }
        unless defined?(::Rails.application) && ::Rails.application
          raise Error,
                "#{environment} did not define a Rails application"
        end

        ::Rails.application
      rescue LoadError, StandardError => e
        raise if e.is_a?(Error)

        raise Error, "could not boot #{root}: #{e.class}: #{e.message.lines.first&.strip}"
      end

      def report(settings, options)
        out = @cli.stdout
        out.puts "Rails #{::Rails.version} (#{::Rails.env}), #{settings.app_name}"
        settings.rows.each { |label, value| out.puts format("  %-38<l>s %<v>s", l: label, v: value) }
        out.puts "\nA Rack app reads and writes this app's session with:\n\n  #{settings.railsess_line}\n"
        warnings = settings.warnings(options[:host])
        out.puts "\nWarnings:" unless warnings.empty?
        warnings.each { |w| out.puts "  - #{w}" }
      end

      # What a booted Rails app uses (its env_config is exactly what its cookie jars read).
      class Settings
        def initialize(app)
          @app = app
          @env = app.env_config
          @config = app.config
        end

        def app_name = @app.class.name

        def ad(name) = @env["action_dispatch.#{name}"]

        def kdf_digest
          digest = @config.active_support.respond_to?(:key_generator_hash_digest_class) &&
                   @config.active_support.key_generator_hash_digest_class
          digest || OpenSSL::Digest::SHA1
        end

        def iterations
          generator = ad(:key_generator)
          inner = generator.instance_variable_get(:@key_generator) || generator
          inner.instance_variable_get(:@iterations) || 1000
        end

        def serializer = ad(:cookies_serializer)
        def session_store = @config.session_store
        def session_options = @config.session_options || {}
        def csrf = @config.action_controller

        def rotations
          rotations = ad(:cookies_rotations)
          if rotations
            { encrypted: rotations.encrypted.size,
              signed: rotations.signed.size }
          else
            { encrypted: 0, signed: 0 }
          end
        end

        def secret_source
          return "ENV[\"SECRET_KEY_BASE\"]" if ENV["SECRET_KEY_BASE"].to_s != ""
          return "credentials (secret_key_base)" if @app.respond_to?(:credentials) && @app.credentials.secret_key_base

          "config/app (secret_key_base is set: #{!@app.secret_key_base.to_s.empty?})"
        end

        def rows = crypto_rows + cookie_rows

        def crypto_rows
          [
            ["secret_key_base", secret_source],
            ["key derivation", "PBKDF2-HMAC-#{kdf_digest.name.split('::').last}, #{iterations} iterations"],
            ["use_authenticated_cookie_encryption", ad(:use_authenticated_cookie_encryption).inspect],
            ["encrypted_cookie_cipher", (ad(:encrypted_cookie_cipher) || "aes-256-gcm (default)").to_s],
            ["cookies_digest / signed_cookie_digest",
             "#{ad(:cookies_digest).inspect} / #{ad(:signed_cookie_digest).inspect}"],
            ["salts", salts.values.map(&:inspect).join(", ")],
            ["cookies_rotations", rotations.map { |k, v| "#{k}: #{v}" }.join(", ")]
          ]
        end

        def cookie_rows
          [
            ["cookies_serializer", serializer.inspect],
            ["use_cookies_with_metadata", ad(:use_cookies_with_metadata).inspect],
            ["session store", "#{session_store} #{session_options.inspect}"],
            ["same_site", same_site.inspect],
            ["CSRF", "per_form #{csrf.per_form_csrf_tokens.inspect}, " \
                     "origin check #{csrf.forgery_protection_origin_check.inspect}"],
            ["matching preset", preset]
          ]
        end

        def salts
          CookieConfig::SALTS.to_h { |name, _| [name, ad(name)] }
        end

        def same_site
          value = ad(:cookies_same_site_protection)
          if value.respond_to?(:call)
            value.arity.zero? ? value.call : value.call(nil)
          else
            value
          end
        rescue StandardError
          nil
        end

        def app_settings
          { use_authenticated_cookie_encryption: ad(:use_authenticated_cookie_encryption) ? true : false,
            use_cookies_with_metadata: ad(:use_cookies_with_metadata) ? true : false,
            key_generator_hash_digest_class: kdf_digest }
        end

        # The newest preset whose crypto settings are the app's (same code version when possible).
        def preset
          rails = ::Rails.version.split(".").first(2).join(".")
          fitting = Presets::VERSIONS.select { |v| Presets.fetch(v).slice(*CRYPTO_KEYS) == app_settings }
          fitting.include?(rails) ? rails : (fitting.last || "none (give every setting explicitly)")
        end

        def rails_minor = ::Rails.version.split(".").first(2).join(".")

        # The settings a Rack app must give on top of the preset.
        def overrides
          base = Presets.fetch(Presets::VERSIONS.include?(preset) ? preset : CookieConfig::DEFAULT_PRESET)
          extra = {}
          extra[:rails_version] = rails_minor if base[:rails_version] != rails_minor
          extra[:cookies_serializer] = serializer || :marshal if serializer != :json
          extra[:same_site] = same_site if same_site != base[:same_site]
          extra.merge(custom_settings)
        end

        def custom_settings
          extra = salts.reject { |name, value| value == CookieConfig::SALTS[name] }
          %i[encrypted_cookie_cipher cookies_digest signed_cookie_digest].each { |k| extra[k] = ad(k) if ad(k) }
          extra[:iterations] = iterations if iterations != 1000
          extra
        end

        def railsess_line
          options = { preset: preset, secret_key_base: :ENV }.merge(overrides)
          options[:key] = session_options[:key] || "_session_id"
          %i[domain tld_length expire_after secure].each do |k|
            options[k] = session_options[k] if session_options.key?(k)
          end
          store = store_line
          args = options.map { |k, v| "#{k}: #{v == :ENV ? 'ENV.fetch("SECRET_KEY_BASE")' : v.inspect}" }
          "use #{store}, #{args.join(', ')}"
        end

        def store_line
          case session_store.to_s
          when /CacheStore\z/ then "Railsess::Session::RedisStore, layout: :cache_store, #{REDIS}"
          when /RedisSessionStore\z/ then "Railsess::Session::RedisStore, #{REDIS}"
          else "Railsess::Session::CookieStore"
          end
        end

        def warnings(host)
          list = []
          if kdf_digest == OpenSSL::Digest::SHA256 && rotations[:encrypted].zero?
            list << "key derivation is SHA256 with no cookies_rotations: cookies from before the switch " \
                    "(load_defaults < 7.0, SHA1) are unreadable, and a mixed deploy logs users out. Add a SHA1 " \
                    "rotation in Rails and, in railsess, " \
                    "key_rotations: [{ key_generator_hash_digest_class: OpenSSL::Digest::SHA1 }]"
          end
          if [nil, :marshal, :hybrid, :json_allow_marshal].include?(serializer)
            list << "cookies_serializer #{serializer.inspect} reads Marshal: a Rack app sharing these cookies must " \
                    "load Marshal from them too. Move to :json (via :hybrid, which rewrites cookies as JSON)"
          end
          list.concat(domain_warnings(host))
          list << "CSRF: Rails' tokens need Railsess::CSRF::Protection (preset: #{preset.inspect}) on the Rack side; " \
                  "rack-protection's authenticity_token (session[:csrf]) is not compatible"
          list
        end

        def domain_warnings(host)
          return [] unless [:all, "all"].include?(session_options[:domain])

          list = []
          tld = session_options[:tld_length]
          app_tld = @config.action_dispatch.respond_to?(:tld_length) && @config.action_dispatch.tld_length
          if app_tld && app_tld != 1 && tld.nil?
            list << "config.action_dispatch.tld_length is not used for cookies: give tld_length: to the session store"
          end
          if host
            leading_dot = Compat.level(::Rails.version).leading_dot_cookie_domain?
            resolved = CookieDomain.resolve(:all, host, tld_length: tld, leading_dot: leading_dot)
            too_deep = resolved.to_s.delete_prefix(".").count(".") >= 2
            note = too_deep ? ": more than the parent domain (tld_length?)" : ""
            list << "domain :all on #{host} gives #{resolved.inspect}#{note}"
          else
            list << "domain :all keeps the last 2 labels of the host, 3 for hosts like www.abc.io or x.co.uk " \
                    "(check yours with --host)"
          end
          list
        end
      end
    end
  end
end
