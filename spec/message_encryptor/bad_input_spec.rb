# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Bad input for Railsess::MessageEncryptor: for every input, railsess must do what ActiveSupport
# 6.1 does with the same input (same return value, or the same exception class; railsess'
# InvalidMessage / InvalidSignature are subclasses of ActiveSupport's and count as those).
RSpec.describe "MessageEncryptor on bad input, compared with ActiveSupport", :active_support, kind: :bad_input do
  include CompatHelpers

  configs = {
    "aes-256-gcm" => [[CompatHelpers::KEY], { cipher: "aes-256-gcm" }],
    "aes-256-cbc, sign_secret, SHA1" => [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc" }],
    "aes-256-cbc, no sign_secret" => [[CompatHelpers::KEY], { cipher: "aes-256-cbc" }],
    "aes-256-cbc, sign_secret, SHA256" => [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET],
                                           { cipher: "aes-256-cbc", digest: "SHA256" }]
  }

  def decrypt_divergences(inputs, as_codec, rs_codec, purpose: nil)
    divergences(inputs, as_codec, rs_codec) do |encryptor, message|
      encryptor.decrypt_and_verify(message, purpose: purpose)
    end
  end

  configs.each do |label, (args, options)|
    describe label do
      let(:as) { as_encryptor(args, options, serializer: Marshal) }
      let(:rs) { railsess_encryptor(args, options, serializer: Marshal) }
      let(:messages) do
        { "AS" => as.encrypt_and_sign({ "id" => 1, "name" => "ü" }),
          "AS, purpose" => as.encrypt_and_sign("x", purpose: "login"),
          "railsess" => rs.encrypt_and_sign({ "id" => 1, "name" => "ü" }) }
      end

      it "rejects a message with one character changed, at every position, as ActiveSupport does" do
        inputs = messages.flat_map do |writer, message|
          positions(message).map { |i| ["#{writer} message, char #{i} (#{message[i]})", flip(message, i)] }
        end
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
        expect(decrypt_divergences(inputs.last(40), as, rs, purpose: "login")).to eq([])
      end

      it "rejects a truncated message, cut at every length, as ActiveSupport does" do
        inputs = messages.flat_map do |writer, message|
          (0...message.size).map { |n| ["#{writer} message cut to #{n}", message[0, n]] }
        end
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
      end

      it "handles garbage, re-encoded and re-framed messages as ActiveSupport does" do
        message = messages["AS"]
        parts = message.split("--")
        inputs = {
          "empty" => "", "space" => " ", "--" => "--", "----" => "----", "--Zm9v" => "--Zm9v",
          "a--b" => "a--b", "a--b--c" => "a--b--c", "Zm9v" => "Zm9v", "Zm9v--Zm9v" => "Zm9v--Zm9v",
          "Zm9v--Zm9v--Zm9v" => "Zm9v--Zm9v--Zm9v", "=" => "=", "non-base64" => "!!!--???--***",
          "newline" => "\n", "NUL bytes" => "\0\0--\0",
          "plausible GCM parts" => "#{Base64.strict_encode64('c' * 16)}--#{Base64.strict_encode64('i' * 12)}--" \
                                   "#{Base64.strict_encode64('t' * 16)}",
          "extra --Zm9v segment" => "#{message}--Zm9v",
          "two extra segments" => "#{message}--Zm9v--YmFy",
          "trailing --" => "#{message}--",
          "leading --" => "--#{message}",
          "doubled" => "#{message}--#{message}",
          "parts swapped" => parts.reverse.join("--"),
          "trailing newline" => "#{message}\n",
          "leading space" => " #{message}",
          "url-safe alphabet" => message.tr("+/", "-_"),
          "padding removed" => message.delete("="),
          "upcased" => message.upcase,
          "binary encoding" => message.b,
          "US-ASCII encoding" => message.dup.force_encoding(Encoding::US_ASCII),
          "frozen" => message.dup.freeze,
          "invalid UTF-8" => "\xFF\xFE--\xC3(",
          "invalid UTF-8 appended" => "#{message}\xFF",
          "valid message tagged UTF-16LE" => message.dup.force_encoding(Encoding::UTF_16LE),
          "UTF-16LE transcoded" => message.encode(Encoding::UTF_16LE),
          "blank UTF-16LE" => "  ".encode(Encoding::UTF_16LE),
          "1 MB of A" => "A" * 1_000_000,
          "1 MB of A, framed" => "#{'A' * 500_000}--#{'A' * 16}--#{'A' * 24}"
        }
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
      end

      it "raises what ActiveSupport raises for a message that is not a String" do
        inputs = { "nil" => nil, "Integer" => 1, "Float" => 1.5, "Symbol" => :message, "Array" => ["a--b"],
                   "Array of parts" => messages["AS"].split("--"), "Hash" => {}, "true" => true,
                   "Object" => Object.new }
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
      end

      it "rejects messages from a wrong key or sign_secret as ActiveSupport does" do
        wrong = {
          "wrong key" => [CompatHelpers::OTHER_KEY, *args.drop(1)],
          "wrong key and sign_secret" => [CompatHelpers::OTHER_KEY, CompatHelpers::OTHER_SIGN_SECRET],
          "wrong sign_secret" => [args[0], CompatHelpers::OTHER_SIGN_SECRET]
        }
        inputs = wrong.flat_map do |wrong_label, wrong_args|
          [ActiveSupport::MessageEncryptor, Railsess::MessageEncryptor].flat_map do |klass|
            writer = klass.new(*wrong_args, **options, serializer: Marshal)
            [["#{wrong_label} (#{klass})", writer.encrypt_and_sign("value")],
             ["#{wrong_label} (#{klass}), purpose", writer.encrypt_and_sign("value", purpose: "login")]]
          end
        end
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
        expect(decrypt_divergences(inputs, as, rs, purpose: "login")).to eq([])
      end

      it "returns nil for a wrong purpose or an expired message, as ActiveSupport does" do
        cases = {
          "purpose, read without" => [{ purpose: "login" }, nil],
          "no purpose, read with one" => [{}, "login"],
          "purpose, read with another" => [{ purpose: "login" }, "admin"],
          "symbol purpose, read with a string" => [{ purpose: :login }, "login"],
          "expired (expires_at)" => [{ expires_at: Time.now - 1 }, nil],
          "expired (expires_in -1)" => [{ expires_in: -1 }, nil],
          "expired, purpose" => [{ expires_at: Time.now - 60, purpose: "login" }, "login"],
          "expired, wrong purpose" => [{ expires_at: Time.now - 60, purpose: "login" }, nil]
        }
        problems = cases.flat_map do |case_label, (write, read_purpose)|
          [as, rs].flat_map do |writer|
            status, message = write_one(writer, :encrypt_and_sign, "value", write)
            raise "#{writer.class} could not write #{case_label}: #{message}" unless status == :ok

            input = ["#{case_label} (#{writer.class})", message]
            decrypt_divergences([input], as, rs, purpose: read_purpose)
          end
        end
        expect(problems).to eq([])
        expect(rs.decrypt_and_verify(as.encrypt_and_sign("v", purpose: "a"), purpose: "b")).to be_nil
      end
    end
  end

  describe "expires_in where Time#advance is missing" do
    # ActiveSupport 6.1 computes expires_in with Time#advance (active_support/core_ext/time,
    # loaded in every Rails app but not by `require "active_support/message_encryptor"`).
    it "does what ActiveSupport does with the same ActiveSupport files loaded" do
      %w[aes-256-gcm aes-256-cbc].each do |cipher|
        as = ActiveSupport::MessageEncryptor.new(CompatHelpers::KEY, cipher: cipher)
        rs = Railsess::MessageEncryptor.new(CompatHelpers::KEY, cipher: cipher)
        expected = outcome { as.encrypt_and_sign("v", expires_in: 60) }
        actual = outcome { rs.encrypt_and_sign("v", expires_in: 60) }
        expect(actual.first).to eq(expected.first), "#{cipher}: ActiveSupport #{expected.inspect[0, 100]}, " \
                                                    "railsess #{actual.inspect[0, 100]}"
        expect(actual).to eq(expected) if expected.first == :error
      end
    end
  end

  describe "serializer mismatch" do
    [["aes-256-gcm", [CompatHelpers::KEY], {}],
     ["aes-256-cbc", [CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], {}]].each do |cipher, args, options|
      it "#{cipher}: reads one serializer's message with another as ActiveSupport does" do
        options = options.merge(cipher: cipher)
        serializers = { "Marshal" => Marshal, "::JSON" => JSON,
                        "NullSerializer" => ActiveSupport::MessageEncryptor::NullSerializer,
                        "ActiveSupport::JSON" => ActiveSupport::JSON }
        values = { "Marshal" => { "a" => [1, :sym] }, "::JSON" => { "a" => [1, "b"] },
                   "NullSerializer" => "plain text, not JSON" }
        problems = []
        values.each do |writer_label, value|
          writer = as_encryptor(args, options, serializer: serializers.fetch(writer_label))
          [nil, "login"].each do |purpose|
            message = writer.encrypt_and_sign(value, purpose: purpose)
            serializers.each do |reader_label, serializer|
              as = as_encryptor(args, options, serializer: serializer)
              rs = railsess_encryptor(args, options, serializer: serializer)
              problems.concat(
                decrypt_divergences([["#{writer_label} read by #{reader_label}", message]], as, rs, purpose: purpose)
              )
            end
          end
        end
        expect(problems).to eq([])
      end
    end

    it "fails like ActiveSupport for a Marshal payload read with ::JSON (6.1 lets JSON::ParserError escape)" do
      marshal = ActiveSupport::MessageEncryptor.new(CompatHelpers::KEY, cipher: "aes-256-gcm", serializer: Marshal)
      json = Railsess::MessageEncryptor.new(CompatHelpers::KEY, cipher: "aes-256-gcm", serializer: JSON)
      old = Gem::Version.new(ActiveSupport::VERSION::STRING) < Gem::Version.new("7.1")
      expected = old ? JSON::ParserError : ActiveSupport::MessageEncryptor::InvalidMessage
      expect { json.decrypt_and_verify(marshal.encrypt_and_sign({ "x" => 1 })) }.to raise_error(expected)
    end
  end

  describe "crafted plaintexts (valid encryption, unusual content)" do
    # ActiveSupport's encryptor with NullSerializer encrypts exactly the bytes given, so these reach
    # the metadata and serializer code of both sides unchanged.
    plaintexts = {
      "envelope, bad base64" => '{"_rails":{"message":"!!!","exp":null,"pur":null}}',
      "envelope, message null" => '{"_rails":{"message":null,"exp":null,"pur":null}}',
      "envelope, _rails is 1" => '{"_rails":1}',
      "envelope, _rails is null" => '{"_rails":null}',
      "envelope, _rails is a string" => '{"_rails":"x"}',
      "envelope, _rails is an array" => '{"_rails":["eA=="]}',
      "envelope, no exp/pur keys" => '{"_rails":{"message":"eA=="}}',
      "envelope, exp garbage" => '{"_rails":{"message":"eA==","exp":"soon","pur":null}}',
      "envelope, exp number" => '{"_rails":{"message":"eA==","exp":123,"pur":null}}',
      "envelope, exp past" => '{"_rails":{"message":"eA==","exp":"2001-01-01T00:00:00.000Z","pur":null}}',
      "envelope, exp future, no ms" => '{"_rails":{"message":"eA==","exp":"2999-01-01T00:00:00Z","pur":null}}',
      "envelope, exp with offset" => '{"_rails":{"message":"eA==","exp":"2999-01-01T00:00:00+09:00","pur":null}}',
      "envelope, pur login" => '{"_rails":{"message":"eA==","exp":null,"pur":"login"}}',
      "envelope, pur number" => '{"_rails":{"message":"eA==","exp":null,"pur":1}}',
      "envelope, pur array" => '{"_rails":{"message":"eA==","exp":null,"pur":["login"]}}',
      "envelope, key order changed" => '{"_rails":{"pur":null,"exp":null,"message":"eA=="}}',
      "envelope, extra top-level key" => '{"_rails":{"message":"eA==","exp":null,"pur":null},"x":1}',
      "envelope, escaped key" => '{"\u005frails":{"message":"eA==","exp":null,"pur":null}}',
      "envelope, whitespace" => ' { "_rails" : { "message" : "eA==" , "exp" : null , "pur" : null } } ',
      "envelope, duplicate _rails" => '{"_rails":1,"_rails":{"message":"eA==","exp":null,"pur":null}}',
      "envelope, Marshal inside" => %({"_rails":{"message":"#{Base64.strict_encode64(Marshal.dump('m'))}",) \
                                    '"exp":null,"pur":null}}',
      "envelope, invalid UTF-8 in pur" => "{\"_rails\":{\"message\":\"eA==\",\"exp\":null,\"pur\":\"\xFF\"}}".b,
      "JSON null" => "null", "JSON false" => "false", "JSON true" => "true", "JSON number" => "42",
      "JSON string" => '"str"', "JSON array" => "[1,2]", "JSON empty object" => "{}",
      "JSON NaN" => "NaN", "JSON Infinity" => "[Infinity, -Infinity]", "JSON huge float" => "1e400",
      "JSON big integer" => "123456789012345678901234567890", "JSON negative zero" => "-0",
      "JSON float forms" => "[1.0, 1E2, 0.1e1, -1.5e-3]",
      "JSON lone surrogate" => '"\ud800"', "JSON escaped NUL" => '"\u0000"',
      "JSON invalid UTF-8 in string" => "[\"\xFF\"]".b, "JSON duplicate keys" => '{"a":1,"a":2}',
      "JSON trailing comma" => "[1,]", "JSON comment" => "/* c */ [1]", "JSON BOM" => "\xEF\xBB\xBF[1]".b,
      "JSON trailing garbage" => "[1] x", "JSON unterminated" => '"abc', "JSON bare word" => "tru",
      "JSON whitespace only" => "   ", "JSON json_class" => '{"json_class":"String","raw":[97]}',
      "JSON nested 100" => "#{'[' * 100}#{']' * 100}", "JSON nested 101" => "#{'[' * 101}#{']' * 101}",
      "JSON nested 3000" => "#{'[' * 3000}#{']' * 3000}",
      "JSON escapes" => '["\u00e9\/\b\f\n\r\t\"\\\\", "\ud83d\ude00"]',
      "JSON escapes and UTF-8" => '["é", "\u00e9"]',
      "JSON control char in string" => "[\"a\tb\"]", "JSON single quotes" => "['a']",
      "Marshal string" => Marshal.dump("m"), "Marshal hash" => Marshal.dump({ a: 1 }),
      "Marshal truncated" => Marshal.dump("marshal").byteslice(0, 5),
      "Marshal wrong version" => "\x04\x09I\"\x06m\x06:\x06ET".b,
      "text" => "plain text", "binary" => CompatHelpers::BINARY
    }

    [["aes-256-gcm", [CompatHelpers::KEY]], ["aes-256-cbc", [CompatHelpers::KEY, CompatHelpers::SIGN_SECRET]]]
      .each do |cipher, args|
      { "Marshal" => -> { Marshal }, "::JSON" => -> { JSON },
        "NullSerializer" => -> { ActiveSupport::MessageEncryptor::NullSerializer } }.each do |reader_label, reader|
        it "#{cipher}, read with #{reader_label}: same value or error as ActiveSupport" do
          writer = as_encryptor(args, { cipher: cipher }, serializer: ActiveSupport::MessageEncryptor::NullSerializer)
          as = as_encryptor(args, { cipher: cipher }, serializer: reader.call)
          rs = railsess_encryptor(args, { cipher: cipher }, serializer: reader.call)
          inputs = plaintexts.map { |label, plain| [label, writer.encrypt_and_sign(plain.dup)] }
          expect(decrypt_divergences(inputs, as, rs)).to eq([])
          expect(decrypt_divergences(inputs, as, rs, purpose: "login")).to eq([])
        end
      end
    end
  end

  describe "structurally valid but malformed ciphertexts" do
    it "aes-256-gcm: handles wrong IV/tag sizes and empty parts as ActiveSupport does" do
      as = as_encryptor([CompatHelpers::KEY], { cipher: "aes-256-gcm" })
      rs = railsess_encryptor([CompatHelpers::KEY], { cipher: "aes-256-gcm" })
      ct, iv, tag = as.encrypt_and_sign("value").split("--").map { |part| Base64.strict_decode64(part) }
      b64 = ->(*parts) { parts.map { |part| Base64.strict_encode64(part) }.join("--") }
      inputs = {
        "empty ciphertext" => b64.call("", iv, tag),
        "IV of 16 bytes" => b64.call(ct, "#{iv}abcd", tag),
        "IV of 8 bytes" => b64.call(ct, iv[0, 8], tag),
        "empty IV" => b64.call(ct, "", tag),
        "tag of 15 bytes" => b64.call(ct, iv, tag[0, 15]),
        "tag of 17 bytes" => b64.call(ct, iv, "#{tag}x"),
        "empty tag" => b64.call(ct, iv, ""),
        "tag of zeros" => b64.call(ct, iv, "\0" * 16),
        "ciphertext extended" => b64.call("#{ct}x", iv, tag),
        "only ciphertext and IV" => b64.call(ct, iv),
        "ciphertext, IV, tag, extra" => b64.call(ct, iv, tag, "extra")
      }
      expect(decrypt_divergences(inputs, as, rs)).to eq([])
    end

    [["with sign_secret", [CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], CompatHelpers::SIGN_SECRET],
     ["without sign_secret", [CompatHelpers::KEY], CompatHelpers::KEY]].each do |label, args, sign_secret|
      it "aes-256-cbc #{label}: handles a correctly signed but malformed inner blob as ActiveSupport does" do
        as = as_encryptor(args, { cipher: "aes-256-cbc" })
        rs = railsess_encryptor(args, { cipher: "aes-256-cbc" })
        null = ActiveSupport::MessageEncryptor::NullSerializer
        signer = ActiveSupport::MessageVerifier.new(sign_secret, digest: "SHA1", serializer: null)
        inner = Base64.strict_decode64(as.encrypt_and_sign("value").split("--").first)
        ct, iv = inner.split("--").map { |part| Base64.strict_decode64(part) }
        b64 = ->(*parts) { parts.map { |part| Base64.strict_encode64(part) }.join("--") }
        other_key_inner = Base64.strict_decode64(
          as_encryptor([CompatHelpers::OTHER_KEY, sign_secret], { cipher: "aes-256-cbc" })
            .encrypt_and_sign("value").split("--").first
        )
        inners = {
          "the real inner" => inner,
          "empty" => "", "--" => "--", "garbage" => "garbage", "not base64" => "!!!--???",
          "extra --Zm9v segment" => "#{inner}--Zm9v",
          "only the ciphertext" => b64.call(ct),
          "IV of 12 bytes" => b64.call(ct, iv[0, 12]),
          "IV of 17 bytes" => b64.call(ct, "#{iv}x"),
          "empty ciphertext" => b64.call("", iv),
          "ciphertext not a block multiple" => b64.call(ct[0, 15], iv),
          "ciphertext one block short" => b64.call(ct[0, ct.bytesize - 16], iv),
          "IV flipped (first block garbled)" => b64.call(ct, iv.bytes.map { |b| b ^ 0x55 }.pack("C*")),
          "another key's inner" => other_key_inner,
          "invalid UTF-8" => "\xFF--\xFE".b
        }
        inputs = inners.map { |inner_label, blob| [inner_label, signer.generate(blob)] }
        expect(decrypt_divergences(inputs, as, rs)).to eq([])
      end
    end
  end

  describe "keys, ciphers and digests ActiveSupport rejects" do
    # What happens at each step: construction, encryption, decryption of a given message and of
    # nil, and a round trip. Encrypted output differs by IV, so only its success is compared.
    def construction_and_use(klass, args, options, message)
      encryptor = nil
      built = outcome { (encryptor = klass.new(*args, **options)) && :built }
      return { new: built } if built.first == :error

      written = outcome { encryptor.encrypt_and_sign("value") }
      { new: built,
        encrypt: written.first == :ok ? [:ok] : written,
        decrypt: outcome { encryptor.decrypt_and_verify(message) },
        decrypt_nil: outcome { encryptor.decrypt_and_verify(nil) },
        round_trip: outcome { encryptor.decrypt_and_verify(encryptor.encrypt_and_sign("value")) } }
    end

    def message_from(*args, **options)
      written = attempt { ActiveSupport::MessageEncryptor.new(*args, **options).encrypt_and_sign("v") }
      written.first == :ok ? written.last : nil
    end

    keys = {
      "16-byte key" => "k" * 16, "64-byte key" => "k" * 64, "31-byte key" => "k" * 31, "33-byte key" => "k" * 33,
      "empty key" => "", "nil key" => nil, "Integer key" => 12_345, "32-char multibyte key (64 bytes)" => "ü" * 32
    }
    %w[aes-256-gcm aes-256-cbc].each do |cipher|
      keys.each do |key_label, key|
        it "#{cipher}, #{key_label}: fails (or works) at the same step, with the same error, as ActiveSupport" do
          message = message_from(CompatHelpers::KEY, cipher: cipher)
          expected = construction_and_use(ActiveSupport::MessageEncryptor, [key], { cipher: cipher }, message)
          actual = construction_and_use(Railsess::MessageEncryptor, [key], { cipher: cipher }, message)
          expect(actual).to eq(expected)
        end
      end
    end

    it "aes-256-cbc with a sign_secret of the wrong type: same outcome as ActiveSupport" do
      message = message_from(CompatHelpers::KEY, "s" * 64, cipher: "aes-256-cbc")
      [nil, "", "short", 42, :sym].each do |sign_secret|
        expected = construction_and_use(ActiveSupport::MessageEncryptor, [CompatHelpers::KEY, sign_secret],
                                        { cipher: "aes-256-cbc" }, message)
        actual = construction_and_use(Railsess::MessageEncryptor, [CompatHelpers::KEY, sign_secret],
                                      { cipher: "aes-256-cbc" }, message)
        expect(actual).to eq(expected), "sign_secret #{sign_secret.inspect}"
      end
    end

    ciphers = {
      "unknown cipher" => ["aes-256-nope", "k" * 32],
      "empty cipher name" => ["", "k" * 32],
      "upper-case AES-256-GCM" => ["AES-256-GCM", "k" * 32],
      "upper-case AES-256-CBC" => ["AES-256-CBC", "k" * 32],
      "Symbol :'aes-256-gcm'" => [:"aes-256-gcm", "k" * 32],
      "aes-128-gcm (16-byte key)" => ["aes-128-gcm", "k" * 16],
      "aes-128-cbc (16-byte key)" => ["aes-128-cbc", "k" * 16],
      "aes-256-ctr" => ["aes-256-ctr", "k" * 32],
      "chacha20-poly1305" => ["chacha20-poly1305", "k" * 32]
    }
    ciphers.each do |cipher_label, (cipher, key)|
      it "#{cipher_label}: same construction, encryption and decryption outcome as ActiveSupport" do
        message = message_from(key, cipher: cipher) || "eA==--eA==--eA=="
        expected = construction_and_use(ActiveSupport::MessageEncryptor, [key], { cipher: cipher }, message)
        actual = construction_and_use(Railsess::MessageEncryptor, [key], { cipher: cipher }, message)
        expect(actual).to eq(expected)
      end
    end

    digests = { "lower-case sha256" => "sha256", "lower-case sha1" => "sha1", "unknown FOO" => "FOO",
                "SHA3-256" => "SHA3-256", "MD5" => "MD5", "Symbol :SHA256" => :SHA256, "empty" => "",
                "digest class" => OpenSSL::Digest::SHA256 }
    digests.each do |digest_label, digest|
      it "aes-256-cbc, digest #{digest_label}: same outcome as ActiveSupport" do
        args = [CompatHelpers::KEY, CompatHelpers::SIGN_SECRET]
        message = message_from(*args, cipher: "aes-256-cbc", digest: digest) ||
                  message_from(*args, cipher: "aes-256-cbc")
        options = { cipher: "aes-256-cbc", digest: digest }
        expect(construction_and_use(Railsess::MessageEncryptor, args, options, message))
          .to eq(construction_and_use(ActiveSupport::MessageEncryptor, args, options, message))
      end
    end

    it "raises what ActiveSupport raises from key_len for an unknown cipher" do
      expect(outcome { Railsess::MessageEncryptor.key_len("aes-256-nope") })
        .to eq(outcome { ActiveSupport::MessageEncryptor.key_len("aes-256-nope") })
    end
  end
end
