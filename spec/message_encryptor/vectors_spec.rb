# frozen_string_literal: true

RSpec.describe "message_encryptor vectors from real Rails", kind: :vectors do
  # Vectors say which metadata form Rails wrote (spec_helper restores the setting after each example).
  include Vectors::Expectations

  def encryptor_for(vector, version, secret: Vectors.unhex(vector["secret_hex"]))
    # "wrong key": decrypt with any other key (for CBC, the signing key is that other key too).
    wrong_key = secret.nil?
    secret ||= OpenSSL::Random.random_bytes(32)
    sign_secret = wrong_key ? nil : Vectors.unhex(vector["sign_secret_hex"])
    options = { cipher: vector["cipher"], serializer: Vectors.serializer(vector["serializer"]), rails_version: version }
    options[:digest] = vector["digest"] if vector["digest"]
    options[:url_safe] = true if vector["url_safe"]
    Railsess::MessageEncryptor.new(secret, sign_secret, **options)
  end

  Vectors.of_kind("message_encryptor").group_by(&:first).each do |version, pairs|
    describe "Rails #{version}" do
      it "reads every message as Rails did (#{pairs.size} vectors)" do
        pairs.each do |_, vector|
          label = vector.values_at("cipher", "serializer", "case", "purpose", "url_safe").inspect
          encryptor = encryptor_for(vector, version)
          read = -> { encryptor.decrypt_and_verify(vector["message"], purpose: vector["decrypt_purpose"]) }
          expect_outcome(vector["expect"], label, &read)
        end
      end

      it "writes the exact plaintext Rails encrypted" do
        written = 0
        pairs.each do |_, vector|
          next unless vector["case"].nil? && vector["expect"].key?("value")

          Railsess.use_message_serializer_for_metadata = vector["use_message_serializer_for_metadata"] || false
          encryptor = encryptor_for(vector, version)
          ours = encryptor.encrypt_and_sign(vector["value"], purpose: vector["purpose"],
                                                             expires_at: Vectors.time(vector["expires_at"]))
          raw = lambda do |message|
            Vectors.raw_decrypt(message, cipher: vector["cipher"], secret: Vectors.unhex(vector["secret_hex"]),
                                         url_safe: vector["url_safe"])
          end
          expect(raw.call(ours)).to eq(raw.call(vector["message"])), vector.values_at("cipher", "serializer").inspect
          expect(raw.call(ours)).to eq(Base64.strict_decode64(vector["plaintext_b64"])) if vector["plaintext_b64"]
          expect(encryptor.decrypt_and_verify(ours, purpose: vector["purpose"])).to eq(vector["value"])
          written += 1
        end
        expect(written).to be > 0
      end
    end
  end
end
