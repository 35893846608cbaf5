# frozen_string_literal: true

# Every read decrypts (or verifies) its message once: the JSON fast path hands what it opened to
# Ruby's path when that must decide (expiry, the 7.1+ envelope, a bad message, a rotation), so no
# path decrypts or HMAC-checks the same message twice. Native.opened_count counts the openings
# in the core (and in the pure-Ruby port).
RSpec.describe "One decryption per message", kind: :unit do
  let(:key) { "k" * 32 }
  let(:old_key) { "o" * 32 }

  def openings
    before = Railsess::Native.opened_count
    result = begin
      yield
    rescue StandardError => e
      e.class
    end
    [Railsess::Native.opened_count - before, result]
  end

  value = { "user" => [1, "salt"], "n" => 1 }
  # [label, write options, read options, readable]
  shapes = [
    ["no metadata", {}, {}, true],
    ["a purpose", { purpose: "cookie.x" }, { purpose: "cookie.x" }, true],
    ["a purpose and an expiry", { purpose: "cookie.x", expires_at: Time.now + 3600 }, { purpose: "cookie.x" }, true],
    ["an expiry that passed", { purpose: "cookie.x", expires_at: Time.now - 60 }, { purpose: "cookie.x" }, false],
    ["another purpose", { purpose: "cookie.x" }, { purpose: "cookie.y" }, false],
    ["a purpose read without one", { purpose: "cookie.x" }, {}, false],
    ["no purpose read with one", {}, { purpose: "cookie.x" }, false]
  ]

  %w[6.1 7.0 7.1 7.2].product([false, true]).each do |rails_version, metadata_in_serializer|
    next if metadata_in_serializer && rails_version < "7.1"

    form = metadata_in_serializer ? "the 7.1+ envelope" : "the legacy envelope"
    context "Rails #{rails_version} behaviour, #{form}" do
      before { Railsess.use_message_serializer_for_metadata = metadata_in_serializer }

      { "aes-256-gcm" => [], "aes-256-cbc" => ["s" * 64] }.each do |cipher, sign|
        shapes.each do |label, write, read, readable|
          it "#{cipher}: opens a message with #{label} once" do
            crypt = Railsess::MessageEncryptor.new(key, *sign, cipher: cipher, serializer: JSON,
                                                               rails_version: rails_version)
            message = crypt.encrypt_and_sign(value, **write)
            count, result = openings { crypt.decrypt_and_verify(message, **read) }
            expect(result).to eq(readable ? value : nil)
            expect(count).to eq(1)
          end
        end

        it "#{cipher}: opens a tampered message once per key, the rotation included" do
          crypt = Railsess::MessageEncryptor.new(key, *sign, cipher: cipher, serializer: JSON,
                                                             rails_version: rails_version)
          crypt.rotate(old_key, *sign)
          message = crypt.encrypt_and_sign(value, purpose: "p")
          tampered = message.sub(/\A./) { |c| c == "A" ? "B" : "A" }
          count, result = openings { crypt.decrypt_and_verify(tampered, purpose: "p") }
          expect(result).to be < StandardError
          expect(count).to eq(2)
        end

        it "#{cipher}: reads an old key's message with one opening each" do
          crypt = Railsess::MessageEncryptor.new(key, *sign, cipher: cipher, serializer: JSON,
                                                             rails_version: rails_version)
          # A CBC rotation with its own sign secret: one sharing the current one would verify under
          # the current key, whose decryption then has valid padding about once in 256 tries.
          old_sign = sign.map { "t" * 64 }
          crypt.rotate(old_key, *old_sign)
          old = Railsess::MessageEncryptor.new(old_key, *old_sign, cipher: cipher, serializer: JSON,
                                                                   rails_version: rails_version)
          message = old.encrypt_and_sign(value, purpose: "p", expires_at: Time.now + 60)
          expect(openings { crypt.decrypt_and_verify(message, purpose: "p") }).to eq([2, value])
        end
      end

      shapes.each do |label, write, read, readable|
        it "MessageVerifier: verifies a message with #{label} once, in verified and in verify" do
          verifier = Railsess::MessageVerifier.new("s" * 64, digest: "SHA256", serializer: JSON,
                                                             rails_version: rails_version)
          message = verifier.generate(value, **write)
          count, result = openings { verifier.verified(message, **read) }
          expect([count, result]).to eq([1, readable ? value : nil])
          count, result = openings { verifier.verify(message, **read) }
          expect(count).to eq(1)
          expect(result).to eq(readable ? value : Railsess::MessageVerifier::InvalidSignature.raisable)
        end
      end

      it "MessageVerifier: a forged message costs one verification per key" do
        verifier = Railsess::MessageVerifier.new("s" * 64, serializer: JSON, rails_version: rails_version)
        verifier.rotate("o" * 64)
        forged = "#{verifier.generate(value).split('--').first}--#{'0' * 40}"
        expect(openings { verifier.verified(forged) }).to eq([2, nil])
      end
    end
  end
end
