# frozen_string_literal: true

module Railsess
  module Native
    module Pure
      # Base64 and the "--" framing with Ruby's exact rules (railsess-core's codec.rs).
      module Codec
        SEPARATOR = "--"

        module_function

        def encode(data, url_safe)
          encoded = [data].pack("m0")
          url_safe ? encoded.tr("+/", "-_").delete("=") : encoded
        end

        # Base64.strict_decode64.
        def strict_decode(encoded)
          encoded.unpack1("m0")
        rescue ArgumentError
          raise FormatError, "invalid message format: invalid base64"
        end

        # Base64.urlsafe_decode64 (pads an unpadded input that needs it, takes either alphabet),
        # or strict_decode.
        def decode(encoded, url_safe)
          return strict_decode(encoded) unless url_safe

          standard = encoded.tr("-_", "+/")
          standard << ("=" * (-encoded.bytesize % 4)) unless encoded.end_with?("=")
          strict_decode(standard)
        end

        # ActiveSupport's length_after_encode.
        def encoded_len(size, url_safe)
          url_safe ? ((4 * size) + 2) / 3 : 4 * ((size + 2) / 3)
        end

        # The `len` bytes ending at `stop`, which "--" must precede, and where that "--" starts.
        def part_before(message, stop, len)
          start = stop - len
          separator = start - SEPARATOR.bytesize
          unless separator >= 0 && message.byteslice(separator, SEPARATOR.bytesize) == SEPARATOR
            raise FormatError, "invalid message format: missing separator"
          end

          [message.byteslice(start, len), separator]
        end

        # Messages are ASCII; ActiveSupport tags them UTF-8 up to 7.0 and US-ASCII from 7.1.
        def message_string(message, compat)
          message.force_encoding(compat <= 70 ? Encoding::UTF_8 : Encoding::US_ASCII)
        end

        # ActiveSupport's String#blank? on bytes.
        def blank?(bytes)
          bytes.match?(/\A[ \t\n\v\f\r]*\z/n)
        end
      end
    end
  end
end
