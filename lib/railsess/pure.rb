# frozen_string_literal: true

module Railsess
  module Native
    # Railsess::Native in Ruby, on Ruby's OpenSSL. lib/railsess/native.rb installs it (Pure.install)
    # when the compiled extension cannot be loaded (unsupported platform, JRuby, failed build) or
    # when RAILSESS_PURE=1 asks for it.
    #
    # Only the byte format is ported, one file per railsess-core twin in lib/railsess/pure/: the
    # messages each side writes and reads, with the same Native::FormatError / SignatureError /
    # CipherArgumentError. The fast paths (JSON in the call that decrypts or verifies, JSON parsing
    # and generation, expiry timestamps) decline, and their Ruby callers run Ruby's path, which
    # gives the same answers. spec/library/pure_spec.rb compares both by what
    # railsess' public classes do; the whole suite runs on each (`rspec`, `RAILSESS_PURE=1 rspec`).
    module Pure
      # Builds Railsess::Native from this module: subclasses named like the extension's classes.
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

      # The bytes of a String argument (a TypeError as the extension raises for anything else:
      # cookie jars hand their own serializer's output, which may be any object).
      def self.bytes(value)
        String.try_convert(value)&.b ||
          raise(TypeError, "no implicit conversion of #{value.nil? ? 'nil' : value.class} into String")
      end

      # Like the extension's objects: no key material in inspect, no Marshal.
      module Opaque
        def inspect = "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"

        def marshal_dump
          raise TypeError, "no _dump_data is defined for class #{self.class}"
        end
      end

      # Railsess::Native's module functions.
      module Functions
        def pbkdf2(digest, secret, salt, iterations, length)
          KeyGenerator.pbkdf2(digest, secret, salt, iterations, length)
        end

        def www_form_escape(input) = WwwForm.escape(input)
        def www_form_unescape(input) = WwwForm.unescape(input)
        def parse_cookies_header(header) = WwwForm.parse_cookies_header(header)

        # Whether encryptors built afterwards encrypt empty data (the loaded openssl gem is 3.2+).
        def empty_data=(value)
          Encryptor.empty_data = value ? true : false
        end

        def empty_data = Encryptor.empty_data

        # Whether verifiers built afterwards at the 7.2 level also try the other base64 alphabet.
        def alphabet_fallback=(value)
          Signer.alphabet_fallback = value ? true : false
        end

        def alphabet_fallback = Signer.alphabet_fallback

        def opened_count = Pure.opened_count

        def json_options_within(options, allowed) = options.each_key.all? { |key| allowed.include?(key) }

        # The fast paths decline; each caller then runs Ruby's own code.
        def json_parse(_source, _max_nesting, _create_id, fallback) = fallback
        def json_generate(_value, _flags) = nil
        def iso8601_millis(_text) = nil
        def iso8601_3(_time) = nil
        def call_floor(_message) = nil
      end
    end
  end
end

require "railsess/pure/codec"
require "railsess/pure/metadata"
require "railsess/pure/verifier"
require "railsess/pure/gcm"
require "railsess/pure/cbc"
require "railsess/pure/encryptor"
require "railsess/pure/key_generator"
require "railsess/pure/www_form"
