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

    module_function

    def encode(value)
      return ::ActiveSupport::JSON.encode(value) if active_support_json?

      ::JSON.generate(jsonify(value)).gsub(ESCAPE_REGEX, ESCAPED_CHARS)
    end

    def decode(json)
      return ::ActiveSupport::JSON.decode(json) if active_support_json?

      ::JSON.parse(json)
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
