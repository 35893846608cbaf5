# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Bad input for Railsess::MessageVerifier, compared call by call (valid_message?, verified,
# verify) with what ActiveSupport 6.1 does with the same input: `valid_message?` is nil for
# nil/blank and false otherwise, `verified` nil, `verify` raises InvalidSignature.
RSpec.describe "MessageVerifier on bad input, compared with ActiveSupport", :active_support, kind: :bad_input do
  include CompatHelpers

  def read(verifier, call, message, purpose)
    call == :valid_message? ? verifier.valid_message?(message) : verifier.public_send(call, message, purpose: purpose)
  end

  def read_divergences(inputs, as_codec, rs_codec, purpose: nil, calls: %i[valid_message? verified verify])
    calls.flat_map do |call|
      divergences(inputs, as_codec, rs_codec) { |verifier, message| read(verifier, call, message, purpose) }
        .map { |row| row.merge(call: call) }
    end
  end

  let(:secret) { CompatHelpers::VERIFIER_SECRET }

  %w[SHA1 SHA256 MD5].each do |digest|
    describe "digest #{digest}" do
      let(:as) { ActiveSupport::MessageVerifier.new(secret, digest: digest) }
      let(:rs) { Railsess::MessageVerifier.new(secret, digest: digest) }
      let(:messages) do
        { "AS" => as.generate({ "id" => 1 }), "AS, purpose" => as.generate("x", purpose: "login"),
          "railsess" => rs.generate([1, "ü"]) }
      end

      it "rejects a message with one character changed, at every position, as ActiveSupport does" do
        inputs = messages.flat_map do |writer, message|
          positions(message).map { |i| ["#{writer} message, char #{i} (#{message[i]})", flip(message, i)] }
        end
        expect(read_divergences(inputs, as, rs)).to eq([])
      end

      it "rejects a truncated message, cut at every length, as ActiveSupport does" do
        inputs = messages.flat_map do |writer, message|
          (0...message.size).map { |n| ["#{writer} message cut to #{n}", message[0, n]] }
        end
        expect(read_divergences(inputs, as, rs)).to eq([])
      end

      it "handles blank, garbage, re-encoded and re-framed messages as ActiveSupport does" do
        message = messages["AS"]
        data, hmac = message.split("--")
        inputs = {
          "empty" => "", "space" => " ", "spaces" => "  ", "tab/newline" => "\t\n", "ideographic space" => "\u3000",
          "a--b" => "a--b", "a--" => "a--", "--b" => "--b", "--" => "--", "----" => "----", "a--b--c" => "a--b--c",
          "no separator" => data, "only the HMAC" => hmac,
          "extra --Zm9v segment" => "#{message}--Zm9v",
          "trailing --" => "#{message}--", "leading --" => "--#{message}",
          "separator doubled" => "#{data}----#{hmac}",
          "HMAC upper-case" => "#{data}--#{hmac.upcase}",
          "HMAC truncated by one" => "#{data}--#{hmac[0..-2]}",
          "HMAC extended" => "#{data}--#{hmac}0",
          "data with whitespace" => "#{data} --#{hmac}",
          "trailing newline" => "#{message}\n",
          "url-safe alphabet" => message.tr("+/", "-_"),
          "padding removed" => "#{data.delete('=')}--#{hmac}",
          "binary encoding" => message.b,
          "US-ASCII encoding" => message.dup.force_encoding(Encoding::US_ASCII),
          "frozen" => message.dup.freeze,
          "invalid UTF-8" => "\xFF\xFE--\xC3(",
          "invalid UTF-8 appended" => "#{message}\xFF",
          "invalid UTF-8, binary-tagged" => "\xFF\xFE--\xC3(".b,
          "UTF-16LE transcoded" => message.encode(Encoding::UTF_16LE),
          "blank UTF-16LE" => "  ".encode(Encoding::UTF_16LE),
          "valid message tagged UTF-16LE" => message.dup.force_encoding(Encoding::UTF_16LE),
          "1 MB of A" => "A" * 1_000_000,
          "1 MB of A, framed" => "#{'A' * 1_000_000}--#{hmac}"
        }
        expect(read_divergences(inputs, as, rs)).to eq([])
      end

      it "raises what ActiveSupport raises for a message that is not a String" do
        inputs = { "nil" => nil, "Integer" => 1, "Float" => 1.5, "Symbol" => :message, "Array" => ["a--b"],
                   "Hash" => {}, "true" => true, "Object" => Object.new }
        expect(read_divergences(inputs, as, rs)).to eq([])
      end

      it "rejects another secret's or digest's messages as ActiveSupport does" do
        other_digest = digest == "SHA1" ? "SHA256" : "SHA1"
        writers = {
          "other secret" => ActiveSupport::MessageVerifier.new("another secret", digest: digest),
          "other digest" => ActiveSupport::MessageVerifier.new(secret, digest: other_digest),
          "railsess, other secret" => Railsess::MessageVerifier.new("another secret", digest: digest)
        }
        inputs = writers.flat_map do |label, writer|
          [[label, writer.generate("value")], ["#{label}, purpose", writer.generate("value", purpose: "login")]]
        end
        expect(read_divergences(inputs, as, rs)).to eq([])
        expect(read_divergences(inputs, as, rs, purpose: "login")).to eq([])
      end

      it "answers a wrong purpose or an expired message as ActiveSupport does (nil / InvalidSignature)" do
        cases = {
          "purpose, read without" => [{ purpose: "login" }, nil],
          "no purpose, read with one" => [{}, "login"],
          "purpose, read with another" => [{ purpose: "login" }, "admin"],
          "expired (expires_at)" => [{ expires_at: Time.now - 1 }, nil],
          "expired (expires_in -1)" => [{ expires_in: -1 }, nil],
          "expired, purpose" => [{ expires_at: Time.now - 60, purpose: "login" }, "login"]
        }
        problems = cases.flat_map do |label, (write, read_purpose)|
          [as, rs].flat_map do |writer|
            status, message = write_one(writer, :generate, "value", write)
            raise "#{writer.class} could not write #{label}: #{message}" unless status == :ok

            input = ["#{label} (#{writer.class})", message]
            read_divergences([input], as, rs, purpose: read_purpose)
          end
        end
        expect(problems).to eq([])
      end
    end
  end

  describe "falsy values" do
    # ActiveSupport 6.1's `verified` returns nil (and `verify` raises) for a message whose value is
    # nil or false: `super || run_rotations`.
    { "Marshal" => -> { Marshal }, "::JSON" => -> { JSON },
      "NullSerializer" => -> { ActiveSupport::MessageEncryptor::NullSerializer } }.each do |label, serializer|
      it "treats a signed nil/false like ActiveSupport (#{label})" do
        as = ActiveSupport::MessageVerifier.new(secret, serializer: serializer.call)
        rs = Railsess::MessageVerifier.new(secret, serializer: serializer.call)
        signer = ActiveSupport::MessageVerifier.new(secret, serializer: ActiveSupport::MessageEncryptor::NullSerializer)
        inputs = { "Marshal nil" => Marshal.dump(nil), "Marshal false" => Marshal.dump(false), "JSON null" => "null",
                   "JSON false" => "false", "JSON [false]" => "[false]" }
        inputs = inputs.flat_map do |input_label, plain|
          [[input_label, signer.generate(plain)], ["#{input_label}, purpose", signer.generate(plain, purpose: "p")]]
        end
        expect(read_divergences(inputs.each_slice(2).map(&:first), as, rs)).to eq([])
        expect(read_divergences(inputs.each_slice(2).map(&:last), as, rs, purpose: "p")).to eq([])
      end
    end
  end

  describe "expires_in where Time#advance is missing" do
    it "does what ActiveSupport does with the same ActiveSupport files loaded" do
      as = ActiveSupport::MessageVerifier.new(secret)
      rs = Railsess::MessageVerifier.new(secret)
      expected = outcome { as.generate("v", expires_in: 60) }
      actual = outcome { rs.generate("v", expires_in: 60) }
      expect(actual.first).to eq(expected.first), "ActiveSupport #{expected.inspect[0, 100]}, " \
                                                  "railsess #{actual.inspect[0, 100]}"
      expect(actual).to eq(expected) if expected.first == :error
    end
  end

  describe "serializer mismatch" do
    serializers = {
      "Marshal" => -> { Marshal }, "::JSON" => -> { JSON }, "ActiveSupport::JSON" => -> { ActiveSupport::JSON },
      "NullSerializer" => -> { ActiveSupport::MessageEncryptor::NullSerializer }
    }
    values = { "Marshal" => { "a" => [1, :sym] }, "::JSON" => { "a" => [1, "b"] }, "NullSerializer" => "plain text" }

    values.each do |writer_label, value|
      it "reads a #{writer_label} message with every serializer as ActiveSupport does" do
        writer = ActiveSupport::MessageVerifier.new(secret, serializer: serializers.fetch(writer_label).call)
        problems = serializers.flat_map do |reader_label, reader|
          as = ActiveSupport::MessageVerifier.new(secret, serializer: reader.call)
          rs = Railsess::MessageVerifier.new(secret, serializer: reader.call)
          [nil, "login"].flat_map do |purpose|
            input = ["#{writer_label} read by #{reader_label}", writer.generate(value, purpose: purpose)]
            read_divergences([input], as, rs, purpose: purpose)
          end
        end
        expect(problems).to eq([])
      end
    end

    it "lets JSON::ParserError escape from verified and verify for a Marshal payload, like ActiveSupport 6.1" do
      message = ActiveSupport::MessageVerifier.new(secret, serializer: Marshal).generate({ "x" => 1 })
      rs = Railsess::MessageVerifier.new(secret, serializer: JSON)
      expect { rs.verified(message) }.to raise_error(JSON::ParserError)
      expect { rs.verify(message) }.to raise_error(JSON::ParserError)
      expect(rs.valid_message?(message)).to be(true)
    end
  end

  describe "crafted data (valid HMAC, unusual content)" do
    # A verifier with NullSerializer signs exactly the bytes given; a raw signer signs data that is
    # not even base64.
    plaintexts = {
      "envelope, bad base64" => '{"_rails":{"message":"!!!","exp":null,"pur":null}}',
      "envelope, message null" => '{"_rails":{"message":null,"exp":null,"pur":null}}',
      "envelope, _rails is 1" => '{"_rails":1}',
      "envelope, _rails is null" => '{"_rails":null}',
      "envelope, _rails is a string" => '{"_rails":"x"}',
      "envelope, no exp/pur keys" => '{"_rails":{"message":"eA=="}}',
      "envelope, exp garbage" => '{"_rails":{"message":"eA==","exp":"soon","pur":null}}',
      "envelope, exp number" => '{"_rails":{"message":"eA==","exp":123,"pur":null}}',
      "envelope, exp past" => '{"_rails":{"message":"eA==","exp":"2001-01-01T00:00:00.000Z","pur":null}}',
      "envelope, pur login" => '{"_rails":{"message":"eA==","exp":null,"pur":"login"}}',
      "envelope, pur number" => '{"_rails":{"message":"eA==","exp":null,"pur":1}}',
      "envelope, key order changed" => '{"_rails":{"pur":null,"exp":null,"message":"eA=="}}',
      "envelope, escaped key" => '{"\u005frails":{"message":"eA==","exp":null,"pur":null}}',
      "envelope, duplicate _rails" => '{"_rails":1,"_rails":{"message":"eA==","exp":null,"pur":null}}',
      "JSON null" => "null", "JSON number" => "42", "JSON string" => '"str"', "JSON array" => "[1,2]",
      "JSON NaN" => "NaN", "JSON huge float" => "1e400", "JSON big integer" => "123456789012345678901234567890",
      "JSON lone surrogate" => '"\ud800"', "JSON escapes" => '["\u00e9\/\b\f\n\r\t", "\ud83d\ude00"]',
      "JSON escapes and UTF-8" => '["é", "\u00e9"]',
      "JSON invalid UTF-8 in string" => "[\"\xFF\"]".b, "JSON duplicate keys" => '{"a":1,"a":2}',
      "JSON trailing comma" => "[1,]", "JSON comment" => "/* c */ [1]", "JSON trailing garbage" => "[1] x",
      "JSON whitespace only" => "   ", "JSON empty" => "", "JSON json_class" => '{"json_class":"String","raw":[97]}',
      "JSON nested 101" => "#{'[' * 101}#{']' * 101}", "JSON nested 3000" => "#{'[' * 3000}#{']' * 3000}",
      "Marshal string" => Marshal.dump("m"), "Marshal truncated" => Marshal.dump("marshal").byteslice(0, 5),
      "text" => "plain text", "binary" => CompatHelpers::BINARY
    }

    { "Marshal" => -> { Marshal }, "::JSON" => -> { JSON },
      "NullSerializer" => -> { ActiveSupport::MessageEncryptor::NullSerializer } }.each do |reader_label, reader|
      it "read with #{reader_label}: same value or error as ActiveSupport" do
        signer = ActiveSupport::MessageVerifier.new(secret, serializer: ActiveSupport::MessageEncryptor::NullSerializer)
        as = ActiveSupport::MessageVerifier.new(secret, serializer: reader.call)
        rs = Railsess::MessageVerifier.new(secret, serializer: reader.call)
        inputs = plaintexts.map { |label, plain| [label, signer.generate(plain.dup)] }
        expect(read_divergences(inputs, as, rs)).to eq([])
        expect(read_divergences(inputs, as, rs, purpose: "login")).to eq([])
      end
    end

    it "handles correctly signed data that is not strict base64 as ActiveSupport does" do
      as = ActiveSupport::MessageVerifier.new(secret)
      rs = Railsess::MessageVerifier.new(secret)
      sign = ->(data) { "#{data}--#{OpenSSL::HMAC.hexdigest('SHA1', secret, data)}" }
      inputs = ["!!!", "Zm9v\n", "Zm9", "Zm9v=", "Zm9v====", "Zm-_", " Zm9v", "Zm9v--", "é", "\xFF".b, "a" * 5]
               .map { |data| ["data #{data.inspect}", sign.call(data)] }
      expect(read_divergences(inputs, as, rs)).to eq([])
    end
  end

  describe "secrets and digests ActiveSupport rejects" do
    def construction_and_use(klass, secret, options, message)
      verifier = nil
      built = outcome { (verifier = klass.new(secret, **options)) && :built }
      return { new: built } if built.first == :error

      { new: built,
        generate: outcome { verifier.generate("value") },
        verified: outcome { verifier.verified(message) },
        valid_message?: outcome { verifier.valid_message?(message) },
        verify_nil: outcome { verifier.verify(nil) } }
    end

    {
      "nil secret" => [nil, {}], "Integer secret" => [42, {}], "Symbol secret" => [:secret, {}],
      "empty secret" => ["", {}],
      "lower-case sha256" => ["s", { digest: "sha256" }], "lower-case md5" => ["s", { digest: "md5" }],
      "unknown digest FOO" => ["s", { digest: "FOO" }], "SHA3-256" => ["s", { digest: "SHA3-256" }],
      "empty digest" => ["s", { digest: "" }], "Symbol :SHA256" => ["s", { digest: :SHA256 }],
      "digest class" => ["s", { digest: OpenSSL::Digest::SHA256 }], "digest nil" => ["s", { digest: nil }]
    }.each do |label, (bad_secret, options)|
      it "#{label}: same outcome as ActiveSupport at every step" do
        message = ActiveSupport::MessageVerifier.new("s").generate("value")
        expect(construction_and_use(Railsess::MessageVerifier, bad_secret, options, message))
          .to eq(construction_and_use(ActiveSupport::MessageVerifier, bad_secret, options, message))
      end
    end

    it "raises ActiveSupport's ArgumentError message for a nil secret" do
      expect { Railsess::MessageVerifier.new(nil) }.to raise_error(ArgumentError, "Secret should not be nil.")
    end
  end
end
