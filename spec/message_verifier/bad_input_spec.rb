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

  def read_value(verifier, message, purpose)
    verifier.verified(message, purpose: purpose)
  end

  # [ActiveSupport's, railsess'] verifier for `secret` (default digest) and `serializer`.
  def codec_pair(serializer)
    [ActiveSupport::MessageVerifier.new(secret, serializer: serializer),
     Railsess::MessageVerifier.new(secret, serializer: serializer)]
  end

  let(:write_method) { :generate }

  %w[SHA1 SHA256 MD5].each do |digest|
    describe "digest #{digest}" do
      let(:as) { ActiveSupport::MessageVerifier.new(secret, digest: digest) }
      let(:rs) { Railsess::MessageVerifier.new(secret, digest: digest) }
      let(:messages) do
        { "AS" => as.generate({ "id" => 1 }), "AS, purpose" => as.generate("x", purpose: "login"),
          "railsess" => rs.generate([1, "ü"]) }
      end
      let(:framing_inputs) do
        message = messages["AS"]
        data, hmac = message.split("--")
        {
          "no separator" => data, "only the HMAC" => hmac,
          "separator doubled" => "#{data}----#{hmac}",
          "HMAC upper-case" => "#{data}--#{hmac.upcase}",
          "HMAC truncated by one" => "#{data}--#{hmac[0..-2]}",
          "HMAC extended" => "#{data}--#{hmac}0",
          "data with whitespace" => "#{data} --#{hmac}",
          "padding removed" => "#{data.delete('=')}--#{hmac}",
          "1 MB of A, framed" => "#{'A' * 1_000_000}--#{hmac}"
        }
      end
      let(:foreign_messages) do
        other_digest = digest == "SHA1" ? "SHA256" : "SHA1"
        writers = {
          "other secret" => ActiveSupport::MessageVerifier.new("another secret", digest: digest),
          "other digest" => ActiveSupport::MessageVerifier.new(secret, digest: other_digest),
          "railsess, other secret" => Railsess::MessageVerifier.new("another secret", digest: digest)
        }
        writers.flat_map do |label, writer|
          [[label, writer.generate("value")], ["#{label}, purpose", writer.generate("value", purpose: "login")]]
        end.to_h
      end

      include_examples "reading bad input like ActiveSupport"
    end
  end

  describe "unexpected content" do
    let(:as) { ActiveSupport::MessageVerifier.new(secret) }
    let(:rs) { Railsess::MessageVerifier.new(secret) }
    let(:raw_writer) { codec_pair(ActiveSupport::MessageEncryptor::NullSerializer).first }
    let(:crafted_extras) { { "JSON empty" => "" } }

    include_examples "reading unexpected content like ActiveSupport"
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

  describe "serializer mismatch" do
    it "lets JSON::ParserError escape from verified and verify for a Marshal payload, like ActiveSupport 6.1" do
      message = ActiveSupport::MessageVerifier.new(secret, serializer: Marshal).generate({ "x" => 1 })
      rs = Railsess::MessageVerifier.new(secret, serializer: JSON)
      expect { rs.verified(message) }.to raise_error(JSON::ParserError)
      expect { rs.verify(message) }.to raise_error(JSON::ParserError)
      expect(rs.valid_message?(message)).to be(true)
    end
  end

  describe "crafted data (valid HMAC, unusual content)" do
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
