# frozen_string_literal: true

require "optparse"
require "json"
require "railsess"

module Railsess
  # The `railsess` command: decode, encode, doctor. User mistakes are one line on stderr and exit
  # code 1, never a backtrace. Secrets come from an environment variable (SECRET_KEY_BASE, or
  # --env NAME) or stdin (--stdin); --secret-key-base works but warns (shell history, ps).
  class CLI
    Error = Class.new(StandardError)

    USAGE = <<~TEXT
      Usage: railsess COMMAND [options]

      Commands:
        decode COOKIE     decode a Rails cookie (a value, "name=value", or a Cookie/Set-Cookie header line)
        encode JSON       make a cookie value (or Set-Cookie header) a Rails app accepts
        doctor [ROOT]     print a Rails app's cookie settings and the matching railsess line

      `railsess COMMAND --help` for a command's options.
    TEXT

    COMMANDS = { "decode" => "Decode", "encode" => "Encode", "doctor" => "Doctor" }.freeze

    def initialize(argv, stdin: $stdin, stdout: $stdout, stderr: $stderr, env: ENV)
      @argv = argv.dup
      @stdin = stdin
      @stdout = stdout
      @stderr = stderr
      @env = env
    end

    def run
      command = @argv.shift
      return usage(0) if [nil, "-h", "--help", "help"].include?(command)

      unless COMMANDS.key?(command)
        raise Error,
              "unknown command #{command.inspect} (decode, encode, doctor; see railsess --help)"
      end

      require "railsess/cli/#{command}"
      CLI.const_get(COMMANDS.fetch(command)).new(self).run(@argv)
    rescue Error, OptionParser::ParseError, ArgumentError => e
      @stderr.puts("railsess: #{e.message}")
      1
    end

    attr_reader :stdin, :stdout, :stderr, :env

    def usage(code)
      @stdout.print(USAGE)
      code
    end

    # The secret_key_base from the options (see the class comment).
    def secret_key_base(options)
      secret = if options[:stdin]
                 @stdin.gets.to_s.chomp
               elsif options[:secret_key_base]
                 @stderr.puts("railsess: warning: a secret on the command line ends up in shell history; " \
                              "prefer SECRET_KEY_BASE=... or --stdin")
                 options[:secret_key_base]
               else
                 @env[options.fetch(:env, "SECRET_KEY_BASE")].to_s
               end
      return secret unless secret.empty?

      source = options[:stdin] ? "stdin" : "$#{options.fetch(:env, 'SECRET_KEY_BASE')}"
      raise Error, "no secret_key_base: #{source} is empty (set SECRET_KEY_BASE, or use --env NAME or --stdin)"
    end

    # The options decode and encode share.
    def secret_options(parser, options)
      parser.on("--env NAME", "read secret_key_base from $NAME (default: SECRET_KEY_BASE)") { |v| options[:env] = v }
      parser.on("--stdin", "read secret_key_base from the first line of stdin") { options[:stdin] = true }
      parser.on("--secret-key-base VALUE", "the secret itself (discouraged: use the environment)") do |v|
        options[:secret_key_base] = v
      end
    end

    def cookie_options(parser, options)
      parser.on("--preset VERSION", Presets::VERSIONS,
                "the app's load_defaults (#{Presets::VERSIONS.join(', ')})") do |v|
        options[:preset] = v
      end
      parser.on("--rails-version VERSION", "the Rails version the app runs (default: the preset's)") do |v|
        options[:rails_version] = v
      end
      parser.on("--serializer NAME", %w[json hybrid marshal json_allow_marshal],
                "cookies_serializer (default json)") do |v|
        options[:cookies_serializer] = v.to_sym
      end
      parser.on("--kdf-digest NAME", %w[SHA1 SHA256 sha1 sha256], "key_generator_hash_digest_class") do |v|
        options[:key_generator_hash_digest_class] = OpenSSL::Digest.const_get(v.upcase)
      end
      parser.on("--jar NAME", %w[encrypted signed], "the cookie jar (default: encrypted, as the session)") do |v|
        options[:jar] = v.to_sym
      end
    end
  end
end
