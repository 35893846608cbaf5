# frozen_string_literal: true

require "json"
require "time"

module Railsess
  # ActiveSupport::JSON when it is loaded; otherwise a stand-in that writes the same bytes for
  # the values sessions carry (Hash, Array, String, Symbol, Numeric, true/false/nil, Time):
  # `::JSON.generate` plus ActiveSupport's escaping of <, >, & and U+2028/U+2029, Times as
  # ISO 8601 with milliseconds. Decoding is `::JSON.parse`, as ActiveSupport::JSON.decode does.
  module JSON
    ESCAPED_CHARS = {
      "\u2028" => '\u2028', "\u2029" => '\u2029', ">" => '\u003e', "<" => '\u003c', "&" => '\u0026'
    }.freeze
    ESCAPE_REGEX = Regexp.union(*ESCAPED_CHARS.keys)
    PARSE_MAX_NESTING = 100 # JSON.parse's default
    LOAD_OPTIONS = %i[max_nesting allow_nan allow_blank create_additions].freeze

    module_function

    def encode(value)
      return ::ActiveSupport::JSON.encode(value) if active_support_json?

      ::JSON.generate(jsonify(value)).gsub(ESCAPE_REGEX, ESCAPED_CHARS)
    end

    def decode(json)
      return ::ActiveSupport::JSON.decode(json) if active_support_json? && parse_json_times?

      parse(json) { ::JSON.parse(json) }
    end

    # `::JSON.parse(source)` (what ActiveSupport::JSON.decode calls), parsed by the core straight
    # into Ruby objects. The block (Ruby's own parser) decides whatever the core leaves to Ruby.
    def parse(source, &ruby_parser)
      return ruby_parser.call unless source.is_a?(String)

      value = Native.json_parse(source, PARSE_MAX_NESTING, nil, Native::JSON_FALLBACK)
      value.equal?(Native::JSON_FALLBACK) ? ruby_parser.call : value
    end

    PARSE_ARGS = [PARSE_MAX_NESTING, nil].freeze

    # `[max_nesting, create_id]` for the core's JSON path: JSON.parse's, or JSON.load's as its
    # `load_default_options` say; nil when those options ask for more than the core does.
    def core_args(kind)
      return PARSE_ARGS if kind == :parse

      options = ::JSON.load_default_options
      hash = options.hash
      create_id = ::JSON.create_id
      return @load_args if @load_options_hash == hash && @load_create_id == create_id

      @load_options_hash = hash
      @load_create_id = create_id
      @load_args = load_args(options)
    end

    def load_args(options)
      options.each_key { |key| return nil unless LOAD_OPTIONS.include?(key) }
      nesting = options[:max_nesting]
      [nesting.is_a?(Integer) && nesting.positive? ? nesting : nil,
       options[:create_additions] ? ::JSON.create_id : nil].freeze
    end

    # `::JSON.load(source)` with its default options (`create_additions` honoured by leaving any
    # object with `JSON.create_id` to Ruby).
    def load_like_json_gem(source)
      args = core_args(:load)
      return ::JSON.load(source) unless args && source.is_a?(String) # rubocop:disable Security/JSONLoad

      value = Native.json_parse(source, *args, Native::JSON_FALLBACK)
      value.equal?(Native::JSON_FALLBACK) ? ::JSON.load(source) : value # rubocop:disable Security/JSONLoad
    end

    def parse_json_times?
      defined?(::ActiveSupport.parse_json_times) && ::ActiveSupport.parse_json_times
    end

    def dump(value)
      encode(value)
    end

    def load(json)
      decode(json)
    end

    def active_support_json?
      defined?(::ActiveSupport::JSON) && ::ActiveSupport::JSON.respond_to?(:encode)
    end

    def jsonify(value)
      case value
      when Hash then value.to_h { |k, v| [k.to_s, jsonify(v)] }
      when Array then value.map { |v| jsonify(v) }
      when String, Numeric, true, false, nil then value
      when Symbol then value.to_s
      when Time then value.xmlschema(3)
      else value.respond_to?(:as_json) ? jsonify(value.as_json) : value.to_s
      end
    end
  end
end
