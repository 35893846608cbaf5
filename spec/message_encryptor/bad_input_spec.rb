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

  def read_value(encryptor, message, purpose)
    encryptor.decrypt_and_verify(message, purpose: purpose)
  end

  def read_divergences(inputs, as_codec, rs_codec, purpose: nil)
    divergences(inputs, as_codec, rs_codec) { |encryptor, message| read_value(encryptor, message, purpose) }
  end

  # [ActiveSupport's, railsess'] encryptor for the group's codec_config ([args, options]) and `serializer`.
  def codec_pair(serializer)
    [as_encryptor(*codec_config, serializer: serializer), railsess_encryptor(*codec_config, serializer: serializer)]
  end

  let(:write_method) { :encrypt_and_sign }

  configs.each do |label, (args, options)|
    describe label do
      let(:as) { as_encryptor(args, options, serializer: Marshal) }
      let(:rs) { railsess_encryptor(args, options, serializer: Marshal) }
      let(:messages) do
        { "AS" => as.encrypt_and_sign({ "id" => 1, "name" => "ü" }),
          "AS, purpose" => as.encrypt_and_sign("x", purpose: "login"),
          "railsess" => rs.encrypt_and_sign({ "id" => 1, "name" => "ü" }) }
      end
      let(:framing_inputs) do
        message = messages["AS"]
        {
          "plausible GCM parts" => "#{Base64.strict_encode64('c' * 16)}--#{Base64.strict_encode64('i' * 12)}--" \
                                   "#{Base64.strict_encode64('t' * 16)}",
          "parts swapped" => message.split("--").reverse.join("--"),
          "padding removed" => message.delete("="),
          "1 MB of A, framed" => "#{'A' * 500_000}--#{'A' * 16}--#{'A' * 24}"
        }
      end
      let(:foreign_messages) do
        wrong = {
          "wrong key" => [CompatHelpers::OTHER_KEY, *args.drop(1)],
          "wrong key and sign_secret" => [CompatHelpers::OTHER_KEY, CompatHelpers::OTHER_SIGN_SECRET],
          "wrong sign_secret" => [args[0], CompatHelpers::OTHER_SIGN_SECRET]
        }
        wrong.flat_map do |wrong_label, wrong_args|
          [ActiveSupport::MessageEncryptor, Railsess::MessageEncryptor].flat_map do |klass|
            writer = klass.new(*wrong_args, **options, serializer: Marshal)
            [["#{wrong_label} (#{klass})", writer.encrypt_and_sign("value")],
             ["#{wrong_label} (#{klass}), purpose", writer.encrypt_and_sign("value", purpose: "login")]]
          end
        end.to_h
      end

      include_examples "reading bad input like ActiveSupport"
    end
  end

  [["aes-256-gcm", [CompatHelpers::KEY]], ["aes-256-cbc", [CompatHelpers::KEY, CompatHelpers::SIGN_SECRET]]]
    .each do |cipher, args|
    describe "#{cipher}, unexpected content" do
      let(:as) { as_encryptor(args, { cipher: cipher }) }
      let(:rs) { railsess_encryptor(args, { cipher: cipher }) }
      let(:codec_config) { [args, { cipher: cipher }] }
      let(:raw_writer) { codec_pair(ActiveSupport::MessageEncryptor::NullSerializer).first }
      let(:crafted_extras) { {} }

      include_examples "reading unexpected content like ActiveSupport"
    end
  end

  describe "serializer mismatch" do
    it "fails like ActiveSupport for a Marshal payload read with ::JSON (6.1 lets JSON::ParserError escape)" do
      marshal = ActiveSupport::MessageEncryptor.new(CompatHelpers::KEY, cipher: "aes-256-gcm", serializer: Marshal)
      json = Railsess::MessageEncryptor.new(CompatHelpers::KEY, cipher: "aes-256-gcm", serializer: JSON)
      old = Gem::Version.new(ActiveSupport::VERSION::STRING) < Gem::Version.new("7.1")
      expected = old ? JSON::ParserError : ActiveSupport::MessageEncryptor::InvalidMessage
      expect { json.decrypt_and_verify(marshal.encrypt_and_sign({ "x" => 1 })) }.to raise_error(expected)
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
      expect(read_divergences(inputs, as, rs)).to eq([])
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
        expect(read_divergences(inputs, as, rs)).to eq([])
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
