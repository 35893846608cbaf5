# frozen_string_literal: true

require "base64"
require "time"
require "railsess/messages/metadata/legacy"

module Railsess
  module Messages
    # Purpose and expiry, written and read exactly as each Rails version does.
    #
    # Two forms exist. The legacy envelope (all versions read it; cookie jars and Rails < 7.1
    # write it) is built by the core: JSON `{"_rails":{"message":"<b64>","exp":..,"pur":..}}`.
    # The 7.1+ form puts `{"_rails" => {"data" => value, "exp" => .., "pur" => ..}}` through the
    # message's own serializer. Reading: the core hands back the canonical legacy envelope as
    # `[message, exp, pur]`; everything else arrives as a String and is handled here following
    # ActiveSupport's code for the version (a catch/throw protocol like ActiveSupport 7.1's:
    # :railsess_format, :railsess_serialization, :railsess_content).
    module Metadata
      include Legacy

      LEGACY_PREFIX = '{"_rails":{"message":'

      private

      # --- writing -------------------------------------------------------------------------

      def metadata?(expires_at, expires_in, purpose)
        expires_at || expires_in || purpose
      end

      def legacy_metadata?
        @force_legacy_metadata_serializer ||
          !Railsess.use_message_serializer_for_metadata(@compat) ||
          !Serializers.envelope_serializer?(@serializer)
      end

      # Serializes `value` with its metadata and hands the bytes to the class's `write` /
      # `write_enveloped` (encrypt or sign), returning the message.
      def create_message_with_metadata(value, expires_at, expires_in, purpose)
        return write(serialize(value)) unless metadata?(expires_at, expires_in, purpose)

        expiry = pick_expiry(expires_at, expires_in)
        if legacy_metadata?
          # A Time (timestamp serializers) goes into the JSON envelope through ActiveSupport::JSON.
          expiry = expiry.respond_to?(:as_json) ? expiry.as_json : iso8601_3(expiry) if expiry.is_a?(Time)
          return write_legacy_envelope(serialize(value), expiry, purpose)
        end

        purpose = purpose.to_s if purpose
        written = json_envelope(value, expiry, purpose)
        return written if written

        envelope = { "data" => value }
        envelope["exp"] = expiry if expiry
        envelope["pur"] = purpose if purpose
        write(serialize({ "_rails" => envelope }))
      end

      # The 7.1+ envelope generated and written by the core in one call, for a JSON serializer
      # whose `dump` is the core's generator; nil when Ruby must serialize it (see
      # json_generate.rs: the bytes are those `serialize` would write for the same Hash).
      def json_envelope(value, expiry, purpose)
        return nil unless expiry.nil? || expiry.instance_of?(String)

        mode = json_generate_mode
        mode && write_json_envelope(value, mode, expiry, purpose)
      end

      def write_legacy_envelope(serialized, expiry, purpose)
        purpose = purpose.to_s if purpose.is_a?(Symbol)
        if purpose.nil? || (purpose.is_a?(String) && purpose.valid_encoding?)
          purpose = purpose.encode(::Encoding::UTF_8) unless purpose.nil? || purpose.encoding == ::Encoding::UTF_8
          write_enveloped(serialized, expiry, purpose)
        else
          # Rare: a purpose JSON writes as a number or an object. The JSON encoder decides.
          envelope = { "_rails" => { "message" => ::Base64.strict_encode64(serialized), "exp" => expiry,
                                     "pur" => purpose } }
          write(Railsess::JSON.encode(envelope))
        end
      end

      # ActiveSupport writes expiry as `iso8601(3)` in UTC, or (7.1+) as the Time itself for a
      # serializer with a Time type (MessagePack); 6.1/7.0 round-trip it through a Time and
      # ActiveSupport::JSON, which honours `time_precision` / `use_standard_json_time_format`.
      def pick_expiry(expires_at, expires_in)
        time =
          if expires_at
            expires_at.utc
          elsif expires_in
            # ActiveSupport calls Time#advance (core_ext), and fails as it does without it.
            now = Time.now.utc
            Compat.active_support? ? now.advance(seconds: expires_in) : now + expires_in
          end
        return nil unless time
        return time if @compat.codec_71? && Serializers.timestamp_serializer?(@serializer)
        return iso8601_3(time) if @compat.codec_71? || !Railsess::JSON.active_support_json?

        Time.iso8601(iso8601_3(time)).as_json
      end

      # `time.iso8601(3)` for the UTC Time pick_expiry has (formatted by the core when it can).
      def iso8601_3(time)
        (time.instance_of?(Time) && Native.iso8601_3(time)) || time.iso8601(3)
      end

      # --- reading -------------------------------------------------------------------------

      # `plain` is what the core returned: a String, or `[message, exp, pur]`.
      def deserialize_with_metadata(plain, purpose)
        if @compat.codec_71?
          read_71(plain, purpose)
        else
          read_61(plain, purpose)
        end
      end

      # ActiveSupport 7.1+: Messages::Metadata#deserialize_with_metadata.
      def read_71(plain, purpose)
        if plain.is_a?(Array)
          message, exp, pur = plain
          check_metadata(exp, pur, purpose)
          throw :railsess_format, "invalid base64" unless message
          deserialize(message)
        elsif plain.start_with?(LEGACY_PREFIX)
          envelope = decode_json_envelope(plain)
          extracted = extract_from_envelope(envelope, purpose)
          deserialize(strict_decode(extracted["message"]))
        else
          deserialized = deserialize(plain)
          if deserialized.is_a?(Hash) && deserialized.key?("_rails")
            extract_from_envelope(deserialized, purpose)["data"]
          elsif !purpose
            deserialized
          else
            throw :railsess_content, "missing metadata"
          end
        end
      end

      def check_metadata(exp, pur, purpose)
        throw :railsess_content, "expired" if exp && expired?(exp)
        throw :railsess_content, "mismatched purpose" if pur.to_s != purpose.to_s
      end

      # `Time.now.utc >= Time.iso8601(exp)`. An expiry in the form Rails writes is read by the
      # core (exact: it has milliseconds), so only Time.now is built; Time.now as the app sees
      # it, travel_to included.
      def expired?(exp)
        exp_ms = exp.is_a?(String) && Native.iso8601_millis(exp)
        exp_ms ? now_millis >= exp_ms : Time.now.utc >= parse_expiry(exp)
      end

      # Time.now in whole milliseconds: `now >= exp` exactly when `floor(now) >= exp` for an
      # expiry in whole milliseconds.
      def now_millis
        now = Time.now
        (now.to_i * 1000) + (now.nsec / 1_000_000)
      end

      def extract_from_envelope(envelope, purpose)
        hash = envelope["_rails"]
        check_metadata(hash["exp"], hash["pur"], purpose)
        hash
      end

      def decode_json_envelope(plain)
        Railsess::JSON.decode(plain)
      rescue ::JSON::ParserError => e
        throw :railsess_format, e
      end

      def strict_decode(string)
        ::Base64.strict_decode64(string)
      rescue StandardError => e
        throw :railsess_format, e
      end

      def parse_expiry(exp)
        return exp unless exp.is_a?(String)
        return Time.parse(exp) if Railsess::JSON.active_support_json? && !standard_json_time_format?

        Time.iso8601(exp)
      end

      def standard_json_time_format?
        !defined?(::ActiveSupport.use_standard_json_time_format) || ::ActiveSupport.use_standard_json_time_format
      end
    end
  end
end
