# frozen_string_literal: true

module Railsess
  module Native
    module Pure
      # URI.encode_www_form_component / decode_www_form_component's bytes and Rack's (2.2, 3.0-3.2)
      # parse_cookies_header (railsess-core's www_form.rs), for Railsess::RackUtils. Kept rather than
      # declined: Rack's own parse_cookies_header warns ("historical binary regexp match") on every
      # non-ASCII UTF-8 Cookie header, which the extension never does.
      module WwwForm
        COOKIE_HEADER_ENCODINGS = [Encoding::UTF_8, Encoding::US_ASCII, Encoding::BINARY].freeze

        module_function

        def escape(input)
          input.b.gsub(/[^*\-.0-9A-Z_a-z]/n) { |byte| byte == " " ? "+" : format("%%%02X", byte.ord) }
        end

        # A binary String; nil where Ruby raises.
        def unescape(input)
          bytes = input.b
          bytes.tr("+", " ").gsub(/%(\h\h)/n) { |escape| escape[1, 2].hex.chr } unless bytes.match?(/%(?!\h\h)/n)
        end

        # Keys in the header's encoding, values unescaped into UTF-8 or as they are; nil for an
        # encoding left to Rack.
        def parse_cookies_header(header)
          encoding = header.encoding
          return nil unless COOKIE_HEADER_ENCODINGS.include?(encoding)

          header.b.split(/; */n).each_with_object({}) do |piece, cookies|
            next if piece.empty?

            key, value = piece.split("=", 2)
            key.force_encoding(encoding)
            next if cookies.key?(key)

            decoded = value && unescape(value)
            cookies[key] = decoded ? decoded.force_encoding(Encoding::UTF_8) : value&.force_encoding(encoding)
          end
        end
      end
    end
  end
end
