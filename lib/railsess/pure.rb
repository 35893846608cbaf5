# frozen_string_literal: true

require "json"
require "openssl"
require "date"
require "strscan"

module Railsess
  module Native
    # The pure-Ruby implementation of Railsess::Native, on Ruby's OpenSSL. lib/railsess/native.rb
    # installs it (Pure.install) when the compiled extension (lib/railsess/<ruby major.minor>/railsess.so) cannot be
    # loaded (unsupported platform, JRuby, failed build) or when RAILSESS_PURE=1 asks for it.
    #
    # It is a port of ext/railsess (the bindings) and ext/railsess-core (the semantics) and must
    # match them byte for byte: the same methods and arguments (converted as magnus converts
    # them, failing with the same exceptions), the same return values and String encodings, the
    # same Native::FormatError / SignatureError / CipherArgumentError with the same messages,
    # the same "take Ruby's path" markers from the JSON fast paths. The Ruby classes rely on that
    # contract: spec/unit/pure_spec.rb compares both implementations input by input, and the whole
    # suite runs on each (`rspec`, `RAILSESS_PURE=1 rspec`). Speed is not a goal, except that long
    # key derivations let other Ruby threads run, as the core's (which release the GVL) do.
    module Pure
      # Builds Railsess::Native from this module (once the extension has failed to load).
      # The classes are subclasses named like the extension's (Railsess::Native::Encryptor).
      def self.install
        Native.extend(Functions)
        Native.const_set(:Encryptor, Class.new(Encryptor))
        Native.const_set(:Verifier, Class.new(Verifier))
      end

      @opened = 0
      @opened_lock = Mutex.new

      # Messages decrypted or verified so far (Native.opened_count).
      def self.count_opened = @opened_lock.synchronize { @opened += 1 }
      def self.opened_count = @opened

      # Arguments as magnus converts them (RString, Rust String, u32/usize, bool, Option<T>).
      module Args
        COMPAT_LEVELS = [61, 70, 71, 72].freeze
        UTF8_COMPATIBLE = [Encoding::UTF_8, Encoding::US_ASCII].freeze

        module_function

        def describe(value)
          case value
          when nil, true, false then value.inspect
          else value.class.to_s
          end
        end

        # A String, or an object with #to_str (rb_str_to_str).
        def string(value)
          String.try_convert(value) || raise(TypeError, "no implicit conversion of #{describe(value)} into String")
        end

        # The bytes of a String argument, as a new binary String.
        def bytes(value)
          string(value).b
        end

        # A Rust String: UTF-8 (or US-ASCII, or ASCII-only binary) as it is, other encodings
        # converted to UTF-8; invalid bytes fail.
        def utf8(value)
          str = string(value)
          if UTF8_COMPATIBLE.include?(str.encoding)
            raise EncodingError, "invalid byte sequence in UTF-8" unless str.valid_encoding?

            return str.dup.force_encoding(Encoding::UTF_8)
          end
          return str.b.force_encoding(Encoding::UTF_8) if str.encoding == Encoding::BINARY && str.ascii_only?

          begin
            str.encode(Encoding::UTF_8)
          rescue EncodingError
            raise EncodingError, "expected utf-8, got #{str.encoding.name}"
          end
        end

        # An Integer, or an object with #to_int (rb_to_int).
        def integer(value)
          return value if value.is_a?(Integer)
          raise TypeError, "no implicit conversion of #{describe(value)} into Integer" unless value.respond_to?(:to_int)

          int = value.to_int
          return int if int.is_a?(Integer)

          raise TypeError, "can't convert #{value.class} to Integer (#{value.class}#to_int gives #{int.class})"
        end

        # A u32 (bits 32) or usize (bits 64).
        def unsigned(value, bits)
          int = integer(value)
          raise RangeError, "can't convert negative integer to unsigned" if int.negative?
          if int >= 2**64
            raise RangeError, "bignum too big to convert into `unsigned #{bits == 32 ? 'long' : 'long long'}'"
          end
          if bits == 32 && int > 0xFFFF_FFFF
            raise RangeError, "#{int < 2**62 ? 'fixnum' : 'bignum'} too big to convert into `u32`"
          end

          int
        end

        def optional(value)
          value.nil? ? nil : yield(value)
        end

        def bool(value)
          value ? true : false
        end

        def compat(value)
          code = unsigned(value, 32)
          raise ArgumentError, "unknown compatibility level #{code}" unless COMPAT_LEVELS.include?(code)

          code
        end

        # The OpenSSL name of a digest the core supports (ASCII case-insensitive).
        def digest(name)
          upper = name.upcase(:ascii)
          raise ArgumentError, "unsupported digest" unless DIGESTS.include?(upper)

          upper
        end
      end
      private_constant :Args

      # Base64 and "--" framing with Ruby's exact rules (railsess-core's codec.rs).
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

        # Base64.urlsafe_decode64: pads an unpadded input that needs it, takes either alphabet.
        def urlsafe_decode(encoded)
          standard = encoded.tr("-_", "+/")
          standard << ("=" * (-encoded.bytesize % 4)) unless encoded.end_with?("=")
          strict_decode(standard)
        end

        def decode(encoded, url_safe)
          url_safe ? urlsafe_decode(encoded) : strict_decode(encoded)
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
          message.dup.force_encoding(compat <= 70 ? Encoding::UTF_8 : Encoding::US_ASCII)
        end

        # ActiveSupport's String#blank? on bytes.
        def blank?(bytes)
          bytes.match?(/\A[ \t\n\v\f\r]*\z/n)
        end
      end
      private_constant :Codec

      # A JSON text read the way serde_json reads it (its grammar, its string rules, its errors),
      # for the places where the core decides with serde_json: the legacy envelope and the JSON
      # fast path. Every failure throws INVALID.
      class Reader
        INVALID = :railsess_pure_invalid_json
        WHITESPACE = /[ \t\n\r]*/
        LITERAL = /null|true|false/
        NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/
        # After the opening quote: a string up to its closing quote (escapes checked, not decoded).
        STRING_REST = %r{(?>[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u\h{4})*+"}n
        ESCAPES = { '"' => '"', "\\" => "\\", "/" => "/", "b" => "\b", "f" => "\f", "n" => "\n", "r" => "\r",
                    "t" => "\t" }.freeze
        CLOSE = { "[" => /\]/, "{" => /\}/ }.freeze
        # serde_json's recursion limit: 128 levels remaining, an error on reaching zero.
        MAX_DEPTH = 127

        # The block's result, or nil if it threw INVALID.
        def self.read
          valid = false
          result = catch(INVALID) do
            value = yield
            valid = true
            value
          end
          valid ? result : nil
        end

        def initialize(bytes)
          @scanner = StringScanner.new(bytes)
        end

        def fail!
          throw INVALID
        end

        def expect(pattern)
          @scanner.skip(WHITESPACE)
          @scanner.skip(pattern) || fail!
        end

        # Nothing but whitespace left (Deserializer::end).
        def finish
          @scanner.skip(WHITESPACE)
          fail! unless @scanner.eos?
        end

        # A string value (parse_str): escapes decoded, surrogates paired, valid UTF-8.
        def string
          expect(/"/)
          raw = @scanner.scan(STRING_REST) || fail!
          decoded = unescape(raw.byteslice(0, raw.bytesize - 1)).force_encoding(Encoding::UTF_8)
          decoded.valid_encoding? ? decoded : fail!
        end

        # Option<String>: null or a string.
        def optional_string
          @scanner.skip(WHITESPACE)
          @scanner.skip(/null/) ? nil : string
        end

        # A JSON object as serde's derived struct visitor reads it: each of `fields` at most once
        # (its value read by the block), other keys' values skipped. Returns { field => value }.
        def object(fields)
          expect(/\{/)
          values = {}
          first = true
          loop do
            @scanner.skip(WHITESPACE)
            break if @scanner.skip(/\}/)

            expect(/,/) unless first
            first = false
            key = string
            expect(/:/)
            next skip_value unless fields.include?(key)

            fail! if values.key?(key)

            values[key] = yield(key)
          end
          values
        end

        # Any value, discarded (ignore_value: the grammar only; strings are not UTF-8-checked).
        def skip_value
          open = []
          loop do
            @scanner.skip(WHITESPACE)
            if @scanner.skip(/[\[{]/)
              opening = @scanner.matched
              @scanner.skip(WHITESPACE)
              unless @scanner.skip(CLOSE[opening])
                open << opening
                skip_key if opening == "{"
                next
              end
            elsif !scalar?
              fail!
            end
            return if close_values(open)
          end
        end

        # A value as the core's JSON reader (json.rs) takes it: nesting within `max_nesting`
        # (0: unlimited) and serde_json's limit, no `create_id` key, numbers that serde_json turns
        # into the same Ruby number as Ruby does (not -0, nor out of range).
        def value(depth, max_nesting, create_id)
          @scanner.skip(WHITESPACE)
          if @scanner.skip(LITERAL) then nil
          elsif (number = @scanner.scan(NUMBER)) then check_number(number)
          elsif @scanner.match?(/"/) then string
          elsif @scanner.match?(/[\[{]/) then container(depth + 1, max_nesting, create_id)
          else
            fail!
          end
        end

        private

        # After a complete value: closes the containers it ends, until a comma starts the next
        # value (then false) or the outermost one is closed (then true).
        def close_values(open)
          until open.empty?
            @scanner.skip(WHITESPACE)
            if @scanner.skip(/,/)
              skip_key if open.last == "{"
              return false
            end
            @scanner.skip(CLOSE[open.last]) || fail!
            open.pop
          end
          true
        end

        def scalar?
          @scanner.skip(LITERAL) || @scanner.skip(NUMBER) || (@scanner.skip(/"/) && @scanner.skip(STRING_REST))
        end

        def skip_key
          expect(/"/)
          @scanner.skip(STRING_REST) || fail!
          expect(/:/)
        end

        def container(level, max_nesting, create_id)
          fail! if level > MAX_DEPTH || (max_nesting.positive? && level > max_nesting)
          opening = @scanner.getch
          @scanner.skip(WHITESPACE)
          return if @scanner.skip(CLOSE[opening])

          loop do
            if opening == "{"
              fail! if string == create_id
              expect(/:/)
            end
            value(level, max_nesting, create_id)
            @scanner.skip(WHITESPACE)
            next if @scanner.skip(/,/)
            return if @scanner.skip(CLOSE[opening])

            fail!
          end
        end

        def check_number(number)
          float = number.to_f
          fail! if float.infinite? || (float.zero? && number.start_with?("-"))
        end

        def unescape(body)
          return body unless body.include?("\\")

          scanner = StringScanner.new(body)
          out = "".b
          until scanner.eos?
            out << if scanner.scan(/[^\\]+/n) then scanner.matched
                   elsif scanner.scan(/\\u(\h{4})/n) then [code_point(scanner)].pack("U").b
                   else
                     ESCAPES.fetch(scanner.scan(/\\./mn)[1])
                   end
          end
          out
        end

        # A \u escape, with its low surrogate when it is a high one; lone surrogates fail.
        def code_point(scanner)
          code = scanner[1].hex
          fail! if code.between?(0xDC00, 0xDFFF)
          return code unless code.between?(0xD800, 0xDBFF)

          fail! unless scanner.scan(/\\u(\h{4})/n) && scanner[1].hex.between?(0xDC00, 0xDFFF)
          0x10000 + ((code - 0xD800) << 10) + (scanner[1].hex - 0xDC00)
        end
      end
      private_constant :Reader

      # The legacy `_rails` envelope (railsess-core's metadata.rs).
      module Envelope
        PREFIX = '{"_rails":{"message":"'.b
        OUTER_FIELDS = ["_rails"].freeze
        INNER_FIELDS = %w[message exp pur].freeze
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

        # The canonical envelope only, as serde reads it into { _rails: { message: String,
        # exp: Option<String>, pur: Option<String> } }: [message bytes (nil when not strict base64),
        # exp, pur]. Anything else is nil (and left to the Ruby side).
        def parse(plain)
          return nil unless plain.start_with?(PREFIX)

          Reader.read do
            reader = Reader.new(plain)
            outer = reader.object(OUTER_FIELDS) do
              reader.object(INNER_FIELDS) { |key| key == "message" ? reader.string : reader.optional_string }
            end
            reader.finish
            inner = outer["_rails"] || reader.fail!
            message = inner.fetch("message") { reader.fail! }
            [decode(message), inner["exp"], inner["pur"]]
          end
        end

        def decode(message)
          Codec.strict_decode(message.b)
        rescue FormatError
          nil
        end

        # What the core hands Ruby for a plaintext: the binary String, or the envelope's parts.
        def plaintext(plain)
          parse(plain) || plain
        end
      end
      private_constant :Envelope

      # JSON text into Ruby objects where the core does it (ext/railsess/src/json.rs), and the
      # JSON fast path of decrypt_json / verified_json (ext/railsess/src/encryptor.rs).
      module Json
        ENCODINGS = [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].freeze
        FIXNUMS = (-(2**62)...(2**62))
        MAX_DEPTH = 64

        module_function

        # What json_generate writes itself (ext/railsess/src/json_generate.rs): exact Hash, Array,
        # String (no singleton methods), Fixnums, true/false/nil; String keys, and Symbol keys
        # unless for ActiveSupport; valid UTF-8 or US-ASCII; at most 64 levels.
        def plain?(value, active_support, depth)
          case value
          when nil, true, false then true
          when Integer then FIXNUMS.cover?(value)
          when String then plain_string?(value)
          when Array, Hash then plain_container?(value, active_support, depth)
          else false
          end
        end

        def plain_container?(value, active_support, depth)
          return false unless exact?(value, value.is_a?(Hash) ? Hash : Array) && depth < MAX_DEPTH
          return value.all? { |v| plain?(v, active_support, depth + 1) } if value.is_a?(Array)

          value.all? { |k, v| plain_key?(k, active_support) && plain?(v, active_support, depth + 1) }
        end

        def plain_key?(key, active_support)
          key.is_a?(Symbol) ? !active_support && plain_string?(key.name) : plain_string?(key)
        end

        def plain_string?(string)
          exact?(string, String) && [Encoding::UTF_8, Encoding::US_ASCII].include?(string.encoding) &&
            string.valid_encoding?
        end

        def exact?(object, klass)
          object.instance_of?(klass) && object.singleton_methods.empty?
        end

        # [value] where the core parses the text itself, nil where it leaves it to Ruby. The core
        # gives Ruby's own result for what it parses, so that is Ruby's parser here.
        def parse(bytes, max_nesting, create_id)
          return nil if bytes.match?(/\A[ \t\n\f\r]*\z/n)

          reader = Reader.new(bytes)
          valid = Reader.read do
            reader.value(0, max_nesting || 0, create_id)
            reader.finish
            true
          end
          return nil unless valid

          value = ::JSON.parse(bytes.dup.force_encoding(Encoding::UTF_8), max_nesting: false, allow_nan: false,
                                                                          create_additions: false)
          [value] unless beyond_64_bits?(value)
        rescue StandardError
          nil
        end

        # Numbers of magnitude 2**63 or more: the core reads integers into i64/u64 and leaves
        # everything larger (floats included) to Ruby.
        def beyond_64_bits?(value)
          case value
          when Hash then value.each_value.any? { |v| beyond_64_bits?(v) }
          when Array then value.any? { |v| beyond_64_bits?(v) }
          when Float then value.abs >= 2.0**63
          when Integer then value < -(2**63) || value >= 2**64
          else false
          end
        end

        # What the JSON fast path makes of a plaintext: the value, `content` (Rails returns nil)
        # or `[general, plaintext]` (the Ruby path continues from the plaintext).
        def read_value(plain, compat, (purpose, purpose_plain, require_metadata, max_nesting, create_id, content_final,
                                       content, general))
          return opened(general, plain) unless purpose_plain

          kind, serialized = read(plain, purpose, require_metadata, compat)
          parsed = case kind
                   when :parse then parse(serialized, max_nesting, create_id)
                   when :deserialize_71
                     value = parse(serialized, max_nesting, create_id)
                     value && read_71(value.first, purpose, require_metadata, content_final && [content])
                   when :content then content_final && [content]
                   end
          parsed ? parsed.first : opened(general, plain)
        end

        # `[general, plaintext]`, the plaintext as `decrypt` / `verified` give it (nil: not authentic).
        def opened(general, plain)
          [general, plain && Envelope.plaintext(plain)]
        end

        LEGACY_PREFIX = '{"_rails":{"message":'.b.freeze

        def read(plain, purpose, require_metadata, compat)
          message, exp, pur = envelope = Envelope.parse(plain)
          return read_envelope(message, exp, pur, purpose) if envelope
          return plain.start_with?(LEGACY_PREFIX) ? [:general] : [:deserialize_71, plain] if compat >= 71
          # 6.1/7.0 look for "_rails" in the text (or, escaped, still there): Ruby decides.
          return [:general] if plain.include?("_rails") || plain.include?("\\u")

          require_metadata ? [:content] : [:parse, plain]
        end

        def read_envelope(message, exp, pur, purpose)
          return [:general] if message.nil?

          if exp
            expired = expired?(exp)
            return expired.nil? ? [:general] : [:content] if expired != false
          end
          (pur || "").b == purpose ? [:parse, message] : [:content]
        end

        # encryptor.rs' read_71: `[value]`, `content`, or nil (Ruby decides).
        def read_71(value, purpose, require_metadata, content)
          return require_metadata ? content : [value] unless value.is_a?(Hash) && value.key?("_rails")

          fields = value["_rails"]
          return nil unless fields.is_a?(Hash)

          exp = fields["exp"]
          expired = exp ? (expired?(exp) if exp.is_a?(String)) : false
          return expired.nil? ? nil : content unless expired == false

          purpose_71(fields, purpose, content)
        end

        def purpose_71(fields, purpose, content)
          pur = fields["pur"]
          return nil unless pur.nil? || pur.is_a?(String)

          (pur || "").b == purpose ? [fields["data"]] : content
        end

        # `Time.now >= exp` for an expiry in the form Rails writes; nil for any other.
        def expired?(exp)
          exp_millis = Native.iso8601_millis(exp)
          now = Time.now
          return nil unless exp_millis && now.is_a?(Time)

          (now.to_i * 1000) + (now.nsec / 1_000_000) >= exp_millis
        end

        # The 7.1+ metadata envelope as json_generate.rs' `envelope` writes it (nil: not plain).
        def envelope(data, mode, exp, pur)
          exp = Args.optional(exp) { |value| Args.string(value) }
          pur = Args.optional(pur) { |value| Args.string(value) }
          fields = { "data" => data }
          fields["exp"] = exp if exp
          fields["pur"] = pur if pur
          Native.json_generate({ "_rails" => fields }, mode)
        end

        # decrypt_json / verified_json's arguments after the message, converted like the core's.
        def arguments(purpose, require_metadata, max_nesting, create_id, content_final, *markers) # rubocop:disable Metrics/ParameterLists
          bytes = Args.bytes(purpose)
          [bytes, purpose_plain?(Args.string(purpose), bytes), Args.bool(require_metadata),
           Args.optional(max_nesting) { |v| Args.unsigned(v, 64) }, Args.optional(create_id) { |v| Args.utf8(v) },
           Args.bool(content_final), *markers]
        end

        # Whether `pur.to_s == purpose` is a byte comparison (see JsonArgs in encryptor.rs).
        def purpose_plain?(purpose, bytes)
          purpose.encoding == Encoding::UTF_8 ||
            ([Encoding::US_ASCII, Encoding::BINARY].include?(purpose.encoding) && bytes.ascii_only?)
        end
      end
      private_constant :Json

      # PBKDF2-HMAC (railsess-core's key_generator.rs).
      module KDF
        # The core's largest key (larger sizes are OpenSSL's business in KeyGenerator).
        MAX_KEY_LEN = 2**20
        # The core releases the GVL from 1000 rounds. Here a derivation is one OpenSSL call (which
        # holds the GVL) up to this many HMAC block-rounds, ~50 ms: less than one thread time slice
        # (100 ms), so no longer than any busy Ruby thread keeps the others waiting. Longer ones
        # run their rounds in Ruby, where the other threads get their turns.
        ONE_CALL_UP_TO = 2**17

        module_function

        def derive(name, secret, salt, iterations, length)
          if iterations.zero? || length.zero? || length > MAX_KEY_LEN
            raise ArgumentError, "invalid key derivation parameters"
          end

          digest = OpenSSL::Digest.new(name)
          blocks = (length + digest.digest_length - 1) / digest.digest_length
          if iterations * blocks <= ONE_CALL_UP_TO
            OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, length, digest)
          else
            interruptible(name, secret, salt, iterations, length)
          end
        end

        # RFC 8018's PBKDF2 over OpenSSL digests: the HMAC's inner and outer key blocks are hashed
        # once, each round copies those states.
        def interruptible(name, secret, salt, iterations, length)
          inner, outer = hmac_states(name, secret)
          size = inner.digest_length
          hmac = ->(data) { outer.dup.update(inner.dup.update(data).digest).digest }
          blocks = (1..((length + size - 1) / size)).map do |index|
            block(hmac, salt + [index].pack("N"), iterations, size)
          end
          blocks.join.byteslice(0, length)
        end

        # F(P, S, c, i): the XOR of c chained HMACs, the first over `first` (S || INT(i)).
        def block(hmac, first, iterations, size)
          round = hmac.call(first)
          sum = round.unpack1("H*").to_i(16)
          (iterations - 1).times do
            round = hmac.call(round)
            sum ^= round.unpack1("H*").to_i(16)
          end
          [sum.to_s(16).rjust(size * 2, "0")].pack("H*")
        end

        def hmac_states(name, secret)
          block = OpenSSL::Digest.new(name).block_length
          key = secret.bytesize > block ? OpenSSL::Digest.digest(name, secret) : secret
          key = key.b.ljust(block, "\0")
          [0x36, 0x5c].map do |pad|
            OpenSSL::Digest.new(name).update(key.unpack("C*").map { |byte| byte ^ pad }.pack("C*"))
          end
        end
      end
      private_constant :KDF

      # Railsess::Native's module functions.
      module Functions
        # `Railsess::Native.pbkdf2(digest_name, secret, salt, iterations, length)`: a binary String.
        def pbkdf2(digest, secret, salt, iterations, length)
          digest = Args.utf8(digest)
          secret = Args.bytes(secret)
          salt = Args.bytes(salt)
          iterations = Args.unsigned(iterations, 32)
          length = Args.unsigned(length, 64)
          KDF.derive(Args.digest(digest), secret, salt, iterations, length)
        end

        # `Railsess::Native.json_parse(source, max_nesting, create_id, fallback)`: JSON.parse's
        # value, or `fallback` where Ruby's own parser must decide.
        def json_parse(source, max_nesting, create_id, fallback)
          source = Args.string(source)
          max_nesting = Args.optional(max_nesting) { |value| Args.unsigned(value, 64) }
          create_id = Args.optional(create_id) { |value| Args.utf8(value) }
          return fallback unless Json::ENCODINGS.include?(source.encoding)

          parsed = Json.parse(source.b, max_nesting, create_id)
          parsed ? parsed.first : fallback
        end

        # `Railsess::Native.empty_data = bool`: whether encryptors built afterwards encrypt empty data
        # (the loaded openssl gem is 3.2+) or refuse it as older gems do (ext/railsess/src/encryptor.rs).
        def empty_data=(value)
          Encryptor.empty_data = Args.bool(value)
        end

        def empty_data = Encryptor.empty_data

        # `Railsess::Native.opened_count`: messages decrypted or verified so far.
        def opened_count = Pure.opened_count

        ISO8601_MILLIS = /\A(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z\z/n

        # `Railsess::Native.iso8601_millis(string)`: milliseconds since the epoch of a canonical
        # `iso8601(3)` UTC expiry, nil for anything else (railsess-core's timestamp.rs).
        def iso8601_millis(text)
          year, month, day, hour, minute, second, millis = ISO8601_MILLIS.match(Args.bytes(text))&.captures&.map(&:to_i)
          return nil unless year && year >= 1970 && hour <= 23 && minute <= 59 && second <= 59
          return nil unless Date.valid_civil?(year, month, day)

          (Time.utc(year, month, day, hour, minute, second).to_i * 1000) + millis
        end

        # `Railsess::Native.iso8601_3(time)`: `time.iso8601(3)` of a UTC Time of the years 1970-9999
        # (as timestamp.rs formats it), nil for anything else.
        def iso8601_3(time)
          return nil unless time.is_a?(Time) && (0..253_402_300_799).cover?(time.to_i)

          time.getutc.strftime("%Y-%m-%dT%H:%M:%S.%LZ")
        end

        # `Railsess::Native.alphabet_fallback = bool`: whether verifiers built afterwards at the 7.2
        # level also try the other base64 alphabet (ActiveSupport 7.2.3+; ext/railsess/src/encryptor.rs).
        def alphabet_fallback=(value)
          Signer.alphabet_fallback = Args.bool(value)
        end

        def alphabet_fallback = Signer.alphabet_fallback

        # `Railsess::Native.call_floor(message)`: nothing (the extension's bare call cost, for benchmarks).
        def call_floor(_message) = nil

        # `Railsess::Native.json_options_within(options, allowed)`: every key one of `allowed`.
        def json_options_within(options, allowed)
          raise TypeError, "no implicit conversion of #{options.class} into Hash" unless options.is_a?(Hash)
          raise TypeError, "no implicit conversion of #{allowed.class} into Array" unless allowed.is_a?(Array)

          options.each_key.all? { |key| allowed.any? { |a| a.equal?(key) } }
        end

        # `Railsess::Native.json_generate(value, flags)`: JSON.generate's text (it is the same for
        # plain values) with the escapes the flags ask for; nil for values that are not plain.
        def json_generate(value, flags)
          flags = Args.unsigned(flags, 32)
          raise ArgumentError, "unknown json_generate mode #{flags}" if flags > 7
          return nil unless Json.plain?(value, flags.anybits?(4), 0)

          json = ::JSON.generate(value)
          json = json.gsub(/[<>&]/) { |c| format('\\u%04x', c.ord) } if flags.anybits?(1)
          json = json.gsub(/[\u2028\u2029]/) { |c| format('\\u%04x', c.ord) } if flags.anybits?(2)
          json
        end

        # URI.encode_www_form_component's bytes, as a binary String.
        def www_form_escape(input)
          Args.bytes(input).gsub(/[^*\-.0-9A-Z_a-z]/n) { |byte| byte == " " ? "+" : format("%%%02X", byte.ord) }
        end

        # URI.decode_www_form_component's bytes, as a binary String; nil where Ruby raises.
        def www_form_unescape(input)
          bytes = Args.bytes(input)
          return nil if bytes.match?(/%(?!\h\h)/n)

          bytes.tr("+", " ").gsub(/%(\h\h)/n) { |escape| escape[1, 2].hex.chr }.b
        end

        COOKIE_HEADER_ENCODINGS = [Encoding::UTF_8, Encoding::US_ASCII, Encoding::BINARY].freeze

        # Rack 2.2's parse_cookies_header (www_form.rs): keys in the header's encoding, values
        # unescaped into UTF-8 or as they are; nil for an encoding the core leaves to Ruby.
        def parse_cookies_header(header)
          header = Args.string(header)
          encoding = header.encoding
          return nil unless COOKIE_HEADER_ENCODINGS.include?(encoding)

          header.b.split(/; */n).each_with_object({}) do |piece, cookies|
            next if piece.empty?

            key, value = piece.split("=", 2)
            key.force_encoding(encoding)
            next if cookies.key?(key)

            decoded = value && www_form_unescape(value)
            cookies[key] = decoded ? decoded.force_encoding(Encoding::UTF_8) : value&.force_encoding(encoding)
          end
        end
      end
      extend Functions

      # Like the extension's wrapped objects: opaque (no key material in inspect, no Marshal) and
      # not copyable.
      module Opaque
        def inspect
          "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"
        end

        def marshal_dump
          raise TypeError, "no _dump_data is defined for class #{self.class}"
        end

        def initialize_copy(_other)
          raise TypeError, "allocator undefined for #{self.class}"
        end
      end
      private_constant :Opaque

      # railsess-core's MessageVerifier: `b64(data) "--" hex(HMAC(digest, secret, b64(data)))`,
      # for Verifier and for the CBC encryptor's signature.
      class Signer
        include Opaque

        @alphabet_fallback = true
        class << self
          # Set through Railsess::Native.alphabet_fallback=.
          attr_accessor :alphabet_fallback
        end

        def initialize(secret, digest, url_safe, compat)
          @secret = secret
          @digest = digest
          @url_safe = url_safe
          @compat = compat
          @alphabet_fallback = compat >= 72 && Signer.alphabet_fallback ? true : false
          @hex_len = OpenSSL::Digest.new(digest).digest_length * 2
        end

        # Encodes `data` and appends the digest of the encoding.
        def sign(data)
          encoded = Codec.encode(data, @url_safe)
          "#{encoded}--#{hexdigest(encoded)}"
        end

        # The decoded data, or nil for a message that is not authentic or not base64.
        def verified(signed)
          encoded = extract_encoded(signed)
          encoded && decode(encoded)
        end

        # The still-encoded data when the digest matches (valid_message?), else nil.
        def extract_encoded(signed)
          if @compat == 61
            # `data, digest = signed_message.split("--")`: further fields are ignored.
            data, digest = signed.split(Codec::SEPARATOR)
            return nil unless data && digest
          else
            # 7.0+: the digest is the last hex_len bytes, right after a separator.
            at = signed.bytesize - @hex_len - Codec::SEPARATOR.bytesize
            return nil if at.negative? || signed.byteslice(at, Codec::SEPARATOR.bytesize) != Codec::SEPARATOR

            data = signed.byteslice(0, at)
            digest = signed.byteslice(at + Codec::SEPARATOR.bytesize, @hex_len)
          end
          return nil if Codec.blank?(data) || Codec.blank?(digest)

          data if Pure.secure_compare(hexdigest(data), digest)
        end

        private

        # Lowercase hex, compared as is: an upper-case digest does not match.
        def hexdigest(data)
          OpenSSL::HMAC.hexdigest(@digest, @secret, data)
        end

        # 7.2+ also tries the other base64 alphabet.
        def decode(encoded)
          url_safe = @url_safe && @compat >= 71
          try_decode(encoded, url_safe) || (try_decode(encoded, !url_safe) if @alphabet_fallback)
        end

        def try_decode(encoded, url_safe)
          Codec.decode(encoded, url_safe)
        rescue FormatError
          nil
        end
      end
      private_constant :Signer

      # Railsess::Native::Verifier: ActiveSupport::MessageVerifier without the serializer.
      class Verifier
        include Opaque

        def initialize(secret, digest, url_safe, compat)
          secret = Args.bytes(secret)
          digest = Args.utf8(digest)
          url_safe = Args.bool(url_safe)
          @compat = Args.compat(compat)
          @signer = Signer.new(secret, Args.digest(digest), url_safe, @compat)
        end

        def generate(data)
          Codec.message_string(@signer.sign(Args.bytes(data)), @compat)
        end

        def generate_enveloped(serialized, exp, pur)
          serialized = Args.bytes(serialized)
          exp = Args.optional(exp) { |value| Args.utf8(value) }
          pur = Args.optional(pur) { |value| Args.utf8(value) }
          Codec.message_string(@signer.sign(Envelope.wrap(serialized, exp, pur)), @compat)
        end

        def generate_json_envelope(data, mode, exp, pur)
          json = Json.envelope(data, mode, exp, pur)
          json && generate(json)
        end

        # The data (a binary String), `[message, exp, pur]` for a legacy envelope, or nil.
        def verified(signed)
          signed = Args.bytes(signed)
          Pure.count_opened
          data = @signer.verified(signed)
          data && Envelope.plaintext(data)
        end

        def valid?(signed)
          @signer.extract_encoded(Args.bytes(signed)) ? true : false
        end

        # The extension's signature: the message, then the JSON fast path's seven arguments.
        def verified_json(signed, purpose, require_metadata, max_nesting, create_id, content_final, content, general) # rubocop:disable Metrics/ParameterLists
          signed = Args.bytes(signed)
          arguments = Json.arguments(purpose, require_metadata, max_nesting, create_id, content_final, content, general)
          Pure.count_opened
          data = @signer.verified(signed)
          data ? Json.read_value(data, @compat, arguments) : Json.opened(general, nil)
        end
      end

      # Railsess::Native::Encryptor (railsess-core's encryptor.rs): ActiveSupport::MessageEncryptor
      # without the serializer.
      #   aes-256-gcm: b64(ciphertext) "--" b64(iv: 12 bytes) "--" b64(auth tag: 16 bytes)
      #   aes-256-cbc: b64(inner) "--" hex(hmac), inner = b64(ciphertext) "--" b64(iv: 16 bytes)
      class Encryptor
        include Opaque

        KEY_LEN = 32
        GCM_IV_LEN = 12
        CBC_IV_LEN = 16
        TAG_LEN = 16

        class << self
          # Set through Railsess::Native.empty_data=.
          attr_accessor :empty_data

          def gcm(secret, url_safe, compat)
            secret = Args.bytes(secret)
            url_safe = Args.bool(url_safe)
            compat = Args.compat(compat)
            check_key(secret)
            build(secret, nil, url_safe && compat >= 71, compat)
          end

          def cbc(secret, sign_secret, digest, url_safe, compat)
            secret = Args.bytes(secret)
            sign_secret = Args.bytes(sign_secret)
            digest = Args.utf8(digest)
            url_safe = Args.bool(url_safe)
            compat = Args.compat(compat)
            digest = Args.digest(digest)
            check_key(secret)
            url_safe &&= compat >= 71
            build(secret, Signer.new(sign_secret, digest, url_safe, compat), url_safe, compat)
          end

          # As in the extension, instances come from gcm / cbc only.
          def new(*)
            raise TypeError, "allocator undefined for #{self}"
          end

          private

          def build(*settings)
            allocate.tap { |encryptor| encryptor.send(:setup, *settings) }
          end

          def check_key(secret)
            raise CipherArgumentError, "key must be #{KEY_LEN} bytes" unless secret.bytesize == KEY_LEN
          end
        end

        def encrypt(plain)
          Codec.message_string(seal(Args.bytes(plain)), @compat)
        end

        def encrypt_enveloped(serialized, exp, pur)
          serialized = Args.bytes(serialized)
          exp = Args.optional(exp) { |value| Args.utf8(value) }
          pur = Args.optional(pur) { |value| Args.utf8(value) }
          Codec.message_string(seal(Envelope.wrap(serialized, exp, pur)), @compat)
        end

        def encrypt_json_envelope(data, mode, exp, pur)
          json = Json.envelope(data, mode, exp, pur)
          json && encrypt(json)
        end

        # The plaintext (a binary String), or `[message, exp, pur]` for a legacy envelope.
        def decrypt(message)
          message = Args.bytes(message)
          Pure.count_opened
          Envelope.plaintext(open_message(message))
        end

        # The extension's signature: the message, then the JSON fast path's six arguments.
        def decrypt_json(message, purpose, require_metadata, max_nesting, create_id, content, general) # rubocop:disable Metrics/ParameterLists
          message = Args.bytes(message)
          arguments = Json.arguments(purpose, require_metadata, max_nesting, create_id, true, content, general)
          Pure.count_opened
          Json.read_value(open_message(message), @compat, arguments)
        end

        private

        def setup(secret, signer, url_safe, compat)
          @secret = secret
          @signer = signer # CBC only
          @url_safe = url_safe
          @compat = compat
          @empty_data = Encryptor.empty_data ? true : false
        end

        def seal(plain)
          raise CipherArgumentError, "data must not be empty" if plain.empty? && !@empty_data

          cipher = OpenSSL::Cipher.new(@signer ? "aes-256-cbc" : "aes-256-gcm").encrypt
          cipher.key = @secret
          iv = cipher.random_iv
          return @signer.sign(join(cipher.update(plain) + cipher.final, iv)) if @signer

          cipher.auth_data = ""
          join(cipher.update(plain) + cipher.final, iv, cipher.auth_tag)
        end

        def join(*parts)
          parts.map { |part| Codec.encode(part, @url_safe) }.join(Codec::SEPARATOR)
        end

        def open_message(message)
          return open_gcm(*extract_parts(message, true)) unless @signer

          inner = @signer.verified(message) || raise(SignatureError, "invalid signature")
          ciphertext, iv, = extract_parts(inner, false)
          raise CipherArgumentError, "iv must be #{CBC_IV_LEN} bytes" unless iv.bytesize == CBC_IV_LEN
          raise CipherArgumentError, "data must not be empty" if ciphertext.empty? && !@empty_data

          run(OpenSSL::Cipher.new("aes-256-cbc").decrypt, iv, ciphertext, "bad decrypt")
        end

        # The checks in the order OpenSSL's setters run in Rails' decrypt: tag size, IV size, empty
        # data (refused unless the loaded openssl gem encrypts it), then authentication.
        def open_gcm(ciphertext, nonce, tag)
          raise FormatError, "invalid message format: truncated auth_tag" unless tag.bytesize == TAG_LEN
          raise CipherArgumentError, "iv must be #{GCM_IV_LEN} bytes" unless nonce.bytesize == GCM_IV_LEN
          raise CipherArgumentError, "data must not be empty" if ciphertext.empty? && !@empty_data

          cipher = OpenSSL::Cipher.new("aes-256-gcm").decrypt
          run(cipher, nonce, ciphertext, "authentication failed") do
            cipher.auth_tag = tag
            cipher.auth_data = ""
          end
        end

        def run(cipher, nonce, ciphertext, failure)
          cipher.key = @secret
          cipher.iv = nonce
          yield if block_given?
          cipher.update(ciphertext) + cipher.final
        rescue OpenSSL::Cipher::CipherError
          raise FormatError, "invalid message format: #{failure}"
        end

        # Splits and decodes `ct--iv[--tag]` the way the configured Rails version does.
        def extract_parts(message, with_tag)
          return split_left(message, with_tag) if @compat <= 70

          # 7.1+: the tag and the IV are cut off the right by their encoded lengths.
          stop = message.bytesize
          tag = "".b
          if with_tag
            part, stop = Codec.part_before(message, stop, Codec.encoded_len(TAG_LEN, @url_safe))
            tag = Codec.decode(part, @url_safe)
          end
          iv_len = with_tag ? GCM_IV_LEN : CBC_IV_LEN
          iv_part, stop = Codec.part_before(message, stop, Codec.encoded_len(iv_len, @url_safe))
          ciphertext = Codec.decode(message.byteslice(0, stop), @url_safe)
          [ciphertext, Codec.decode(iv_part, @url_safe), tag]
        end

        # 6.1/7.0: `message.split("--").map { |v| strict_decode64(v) }`: every field is decoded (so
        # extra ones must be base64 too), missing ones are nil.
        def split_left(message, with_tag)
          ciphertext, iv, tag = message.split(Codec::SEPARATOR).map { |field| Codec.strict_decode(field) }
          if with_tag && (tag.nil? || tag.bytesize != TAG_LEN)
            raise FormatError, "invalid message format: truncated auth_tag"
          end
          raise FormatError, "invalid message format: missing iv" unless iv
          raise FormatError, "invalid message format: missing data" unless ciphertext

          [ciphertext, iv, tag || "".b]
        end
      end

      # Constant-time comparison of two digests (false for different lengths).
      def self.secure_compare(expected, given)
        return false unless expected.bytesize == given.bytesize
        return OpenSSL.fixed_length_secure_compare(expected, given) if OpenSSL.respond_to?(:fixed_length_secure_compare)

        expected.bytes.zip(given.bytes).reduce(0) { |diff, (a, b)| diff | (a ^ b) }.zero?
      end
    end
  end
end
