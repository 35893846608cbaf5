# frozen_string_literal: true

# Global settings of railsess (see README "Which Rails version it behaves like").
require "railsess/compat/level"

module Railsess
  # Which Rails version's behaviour to reproduce, and the ActiveSupport defaults to follow.
  #
  # With ActiveSupport loaded, railsess behaves like that version (defaults, config, which error,
  # how messages are split). With none loaded (a plain Rack app) it behaves like Rails 8.1 with a
  # JSON serializer. `Railsess.rails_version = "6.1"` (or `rails_version:` on a constructor)
  # picks a version explicitly, e.g. to match a Rails app that runs elsewhere.
  module Compat
    # Levels understood by the core (ext/railsess-core/src/compat.rs): 7.2 covers 7.2 to 8.1.
    LEVELS = { 61 => "6.1", 70 => "7.0", 71 => "7.1", 72 => "7.2+" }.to_h do |code, name|
      [code, Level.new(code, name)]
    end.freeze

    module_function

    # The Level to behave like: `rails_version` (a constructor's option), else
    # Railsess.rails_version, else the loaded ActiveSupport's, else 8.1's.
    def level(rails_version = nil)
      version = rails_version || Railsess.rails_version
      return level_of(version.to_s) if version
      return LEVELS.fetch(72) unless active_support?

      level_of(::ActiveSupport::VERSION::STRING)
    end

    def level_of(version)
      major, minor = version.split(".").map(&:to_i)
      raise ArgumentError, "railsess: unknown Rails version #{version.inspect}" if major.nil?

      number = (major * 10) + (minor || 0)
      code = if number <= 61 then 61
             elsif LEVELS.key?(number) then number
             else
               72
             end
      LEVELS.fetch(code)
    end

    def active_support?
      @active_support ||= defined?(::ActiveSupport::VERSION::STRING) ? true : false
    end

    # Kept once ActiveSupport is loaded: it cannot be unloaded, nor its version change.
    def active_support_at_least?(major, minor)
      return false unless active_support?

      @active_support_version ||= (::ActiveSupport::VERSION::MAJOR * 100) + ::ActiveSupport::VERSION::MINOR
      @active_support_version >= (major * 100) + minor
    end

    # ActiveSupport's own classes when loaded; nil otherwise. Found once, kept: a constant
    # ActiveSupport defines is never removed (one not loaded yet is looked up again).
    def active_support_const(path)
      return nil unless active_support?

      found = (@active_support_consts ||= {})[path]
      return found if found

      found = path.split("::").inject(Object) do |mod, name|
        return nil unless mod.const_defined?(name, false)

        mod.const_get(name, false)
      end
      @active_support_consts = @active_support_consts.merge(path => found).freeze
      found
    end

    # ActiveSupport 7.2.3+ (MessageVerifier#decode) decodes with the other base64 alphabet when the
    # configured one fails; 7.2.0-7.2.2 do not. Follows the loaded ActiveSupport unless a Rails
    # version is given explicitly (then its level decides, as without ActiveSupport).
    def alphabet_fallback?(rails_version = nil)
      return true if rails_version || Railsess.rails_version || !active_support?

      verifier = active_support_const("ActiveSupport::MessageVerifier")
      return verifier.private_method_defined?(:decode, false) || verifier.method_defined?(:decode, false) if verifier

      Gem::Version.new(::ActiveSupport::VERSION::STRING) >= Gem::Version.new("7.2.3")
    end

    # JSON 2.6's parser re-tags an unfrozen binary source as UTF-8 in place. ActiveSupport 6.1 and
    # 7.0 JSON-decode every plaintext while looking for metadata, so what they return is UTF-8.
    def json_parse_retags_source?
      return @json_parse_retags_source if defined?(@json_parse_retags_source)

      probe = +"\x00".b
      begin
        ::JSON.parse(probe)
      rescue StandardError
        nil
      end
      @json_parse_retags_source = probe.encoding == ::Encoding::UTF_8
    end
  end
end
