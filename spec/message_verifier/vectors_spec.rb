# frozen_string_literal: true

RSpec.describe "message_verifier vectors from real Rails", kind: :vectors do
  # Vectors say which metadata form Rails wrote (spec_helper restores the setting after each example).
  include Vectors::Expectations

  def verifier_for(vector, version)
    options = { digest: vector["digest"], serializer: Vectors.serializer(vector["serializer"]), rails_version: version }
    options[:url_safe] = true if vector["url_safe"]
    Railsess::MessageVerifier.new(Vectors.unhex(vector["secret_hex"]), **options)
  end

  Vectors.of_kind("message_verifier").group_by(&:first).each do |version, pairs|
    describe "Rails #{version}" do
      it "verified and verify give Rails' outcome (#{pairs.size} vectors)" do
        pairs.each do |_, vector|
          label = vector.values_at("digest", "serializer", "case", "purpose", "url_safe").inspect
          verifier = verifier_for(vector, version)
          purpose = vector["verify_purpose"]
          expect_outcome(vector["verified"], label) { verifier.verified(vector["message"], purpose: purpose) }
          expect_outcome(vector["verify"], label) { verifier.verify(vector["message"], purpose: purpose) }
          expect(verifier.valid_message?(vector["message"])).to eq(vector["case"] != "tampered"), label
        end
      end

      it "generates Rails' exact message" do
        generated = 0
        pairs.each do |_, vector|
          next unless vector["case"].nil?

          Railsess.use_message_serializer_for_metadata = vector["use_message_serializer_for_metadata"] || false
          verifier = verifier_for(vector, version)
          message = verifier.generate(vector["value"], purpose: vector["purpose"],
                                                       expires_at: Vectors.time(vector["expires_at"]))
          expect(message).to eq(vector["message"]), vector.values_at("digest", "serializer", "purpose").inspect
          generated += 1
        end
        expect(generated).to be > 0
      end
    end
  end
end
