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

    # Native.json_generate's flags (see ext/railsess/src/json_generate.rs).
    GENERATE_HTML = 1
    GENERATE_SEPARATORS = 2
    GENERATE_ACTIVE_SUPPORT = 4

    def encode(value)
      if active_support_json?
        return ::ActiveSupport::JSON.encode(value) unless default_active_support_encoding?

        html = ::ActiveSupport.escape_html_entities_in_json
        separators = js_separators_escaped?
        json = Native.json_generate(value, generate_flags(html, separators))
        return json if json
        return ::ActiveSupport::JSON.encode(value) unless plain?(value)

        return escape(::JSON.generate(value), html, separators)
      end

      json = Native.json_generate(value, generate_flags(true, true))
      json || escape(::JSON.generate(plain?(value) ? value : jsonify(value)), true, true)
    end

    # The Native.json_generate mode `encode` writes plain values with; nil when it leaves
    # them to ActiveSupport's own encoder.
    def encode_mode
      return generate_flags(true, true) unless active_support_json?
      return nil unless default_active_support_encoding?

      generate_flags(::ActiveSupport.escape_html_entities_in_json, js_separators_escaped?)
    end

    # The mode `dump_like_json_gem` writes plain values with; nil when it calls ::JSON.dump.
    def dump_mode
      default_dump_options? ? 0 : nil
    end

    # `::JSON.dump(value)` (what the `::JSON` serializer writes), natively for plain values
    # while `JSON.dump_default_options` are the json gem's (which leave plain values' text alone).
    def dump_like_json_gem(value)
      (default_dump_options? && Native.json_generate(value, 0)) || ::JSON.dump(value)
    end

    DUMP_OPTIONS_AFFECTING_PLAIN_VALUES = %i[escape_slash script_safe ascii_only].freeze

    def default_dump_options?
      options = ::JSON.dump_default_options
      hash = options.hash
      return @default_dump_options if @dump_options_hash == hash

      @dump_options_hash = hash
      @default_dump_options = DUMP_OPTIONS_AFFECTING_PLAIN_VALUES.none? { |key| options[key] }
    end

    def generate_flags(html, separators)
      GENERATE_ACTIVE_SUPPORT | (html ? GENERATE_HTML : 0) | (separators ? GENERATE_SEPARATORS : 0)
    end

    # ActiveSupport 8.1 can leave U+2028/U+2029 alone (`escape_js_separators_in_json`).
    def js_separators_escaped?
      encoding = ::ActiveSupport::JSON::Encoding
      !encoding.respond_to?(:escape_js_separators_in_json) || encoding.escape_js_separators_in_json
    end

    LINE_SEPARATORS = /[\u2028\u2029]/
    HTML_CHARS = ["<", ">", "&"].freeze
    HTML_REGEX = Regexp.union(*HTML_CHARS)
    LINE_SEPARATOR_CHARS = ["\u2028", "\u2029"].freeze

    # ActiveSupport's escaping of the generated JSON (`include?` first: a scan per character is
    # much cheaper than a regexp over multibyte alternatives, and most JSON needs no escaping).
    def escape(json, html, separators)
      html &&= HTML_CHARS.any? { |c| json.include?(c) }
      separators &&= LINE_SEPARATOR_CHARS.any? { |c| json.include?(c) }
      if html && separators then json.gsub(ESCAPE_REGEX, ESCAPED_CHARS)
      elsif html then json.gsub(HTML_REGEX, ESCAPED_CHARS)
      elsif separators then json.gsub(LINE_SEPARATORS, ESCAPED_CHARS)
      else
        json
      end
    end

    # Values whose ActiveSupport encoding is `::JSON.generate` plus the escaping (what sessions
    # hold): ActiveSupport's as_json walk allocates several objects per value and is the slow
    # part of writing a cookie.
    def plain?(value, depth = 0)
      return false if depth > PARSE_MAX_NESTING

      case value
      when String then value.encoding == Encoding::UTF_8 && value.valid_encoding?
      when Integer, true, false, nil then true
      when Float then value.finite?
      when Array then plain_array?(value, depth)
      when Hash then plain_hash?(value, depth)
      else false
      end
    end

    def plain_array?(array, depth)
      array.each { |v| return false unless plain?(v, depth + 1) }
      true
    end

    def plain_hash?(hash, depth)
      hash.each { |k, v| return false unless k.is_a?(String) && plain?(k) && plain?(v, depth + 1) }
      true
    end

    # ActiveSupport's own JSON gem encoder, unchanged (not Oj or another json_encoder).
    def default_active_support_encoding?
      encoding = ::ActiveSupport::JSON::Encoding
      encoding.json_encoder.equal?(encoding::JSONGemEncoder)
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
      return nil unless options.is_a?(Hash) && Native.json_options_within(options, LOAD_OPTIONS)

      # The json gem's parser: no :max_nesting key is 100 (json 2.7+'s load_default_options have
      # none), false/nil/0 is no limit.
      nesting = options.key?(:max_nesting) ? options[:max_nesting] : PARSE_MAX_NESTING
      nesting = nil unless nesting.is_a?(Integer) && nesting.positive?
      # create_additions: true creates; json 2.8+ also creates (with a deprecation warning) for an
      # explicit nil, its load default; older gems do not. Objects with JSON.create_id are left to
      # Ruby's JSON.load whenever it may create, so the loaded gem decides.
      create = options.key?(:create_additions) && options[:create_additions] != false
      create_id = create ? json_create_id : nil
      args = @load_args
      return args if args && args[0] == nesting && args[1].equal?(create_id)

      @load_args = [nesting, create_id].freeze
    end

    CREATE_ID_KEY = :"JSON.create_id"

    # `::JSON.create_id`, read straight from the fiber-local the json gem keeps it in when a
    # one-time probe shows that is where it lives (json 2.x); otherwise by calling it.
    def json_create_id
      default = create_id_default
      default ? Thread.current[CREATE_ID_KEY] || default : ::JSON.create_id
    end

    def create_id_default
      return @create_id_default unless @create_id_default.nil?

      @create_id_default = Thread.new do
        default = ::JSON.create_id
        Thread.current[CREATE_ID_KEY] = "railsess.probe"
        ::JSON.create_id == "railsess.probe" && default.is_a?(String) && default
      end.value
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
