# frozen_string_literal: true

require "json"

module Railsess
  module Native
    module Pure
      # The legacy `_rails` envelope (railsess-core's metadata.rs):
      #   {"_rails":{"message":"<strict base64>","exp":<"iso8601(3)"|null>,"pur":<"purpose"|null>}}
      module Metadata
        PREFIX = '{"_rails":{"message":"'.b
        ESCAPES = {
          '"' => '\"', "\\" => "\\\\", "\b" => '\b', "\f" => '\f', "\n" => '\n', "\r" => '\r', "\t" => '\t',
          "<" => '\u003c', ">" => '\u003e', "&" => '\u0026', "\u2028" => '\u2028', "\u2029" => '\u2029'
        }.freeze
        ESCAPED = /["\\<>&\u0000-\u001f\u2028\u2029]/

        module_function

        # The exact bytes ActiveSupport's Metadata.wrap writes (exp and pur: UTF-8 Strings or nil).
        def wrap(serialized, exp, pur)
          "#{PREFIX}#{Codec.encode(serialized, false)}\",\"exp\":#{json_string(exp)},\"pur\":#{json_string(pur)}}}".b
        end

        # A JSON string as ActiveSupport::JSON.encode writes it, or null.
        def json_string(value)
          return "null" if value.nil?

          "\"#{value.gsub(ESCAPED) { |char| ESCAPES[char] || format('\u%04x', char.ord) }}\""
        end

        # What `decrypt` / `verified` hand Ruby: a legacy envelope as `[message (nil when not strict
        # base64), exp, pur]`, anything else as the plaintext itself, which Ruby's path reads
        # (Messages::Metadata). Reading an envelope here or there gives the same answer; the parts
        # are what `railsess decode` shows.
        def plaintext(plain)
          return plain unless plain.start_with?(PREFIX)

          rails = ::JSON.parse(plain.dup.force_encoding(Encoding::UTF_8))["_rails"]
          message, exp, pur = rails.values_at("message", "exp", "pur") if rails.is_a?(Hash)
          return plain unless message.is_a?(String) && [exp, pur].all? { |v| v.nil? || v.is_a?(String) }

          [decode(message), exp, pur]
        rescue ::JSON::ParserError, EncodingError
          plain
        end

        def decode(message)
          Codec.strict_decode(message.b)
        rescue FormatError
          nil
        end
      end
    end
  end
end
