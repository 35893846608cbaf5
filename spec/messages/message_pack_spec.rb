# frozen_string_literal: true

# MessagePack messages with metadata (ActiveSupport 7.1+ with msgpack >= 1.7): in the 7.1 envelope the
# expiry is a Time packed with ActiveSupport::MessagePack's Time extension
# (Messages::Metadata::TIMESTAMP_SERIALIZERS), in the legacy JSON envelope an `iso8601(3)` String.
RSpec.describe "MessagePack messages with an expiry, compared with ActiveSupport", :active_support, kind: :compat do
  before do
    if ActiveSupport.gem_version < Gem::Version.new("7.1")
      skip "ActiveSupport #{ActiveSupport.gem_version} has no MessagePack serializer (7.1+)"
    end
    begin
      require "active_support/message_pack"
    rescue LoadError => e
      skip "ActiveSupport::MessagePack needs the msgpack gem >= 1.7 (#{e.message})"
    end
  end

  around do |example|
    # Runs before the skips above: ActiveSupport before 7.1 has no such setting.
    metadata = defined?(ActiveSupport::Messages::Metadata) && ActiveSupport::Messages::Metadata
    metadata = nil unless metadata.respond_to?(:use_message_serializer_for_metadata=)
    saved = metadata&.use_message_serializer_for_metadata
    example.run
  ensure
    metadata.use_message_serializer_for_metadata = saved if metadata
  end

  let(:secret) { "s" * 64 }
  let(:at) { Time.utc(2031, 2, 3, 4, 5, Rational(6789, 1000)) }
  let(:value) { { "a" => [1, "b"], "t" => nil } }

  %i[message_pack message_pack_allow_marshal].product([true, false]).each do |serializer, in_serializer|
    it "writes #{serializer} with use_message_serializer_for_metadata = #{in_serializer} byte for byte" do
      ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata = in_serializer
      as = ActiveSupport::MessageVerifier.new(secret, serializer: serializer)
      rs = Railsess::MessageVerifier.new(secret, serializer: serializer)
      [{ expires_at: at }, { expires_at: at, purpose: "login" }, { purpose: :login }].each do |metadata|
        expect(rs.generate(value, **metadata)).to eq(as.generate(value, **metadata)), metadata.inspect
      end
      expect(rs.verified(as.generate(value, expires_at: at, purpose: "p"), purpose: "p")).to eq(value)
      expect(as.verified(rs.generate(value, expires_at: at, purpose: "p"), purpose: "p")).to eq(value)
      expect(rs.verified(as.generate(value, expires_at: at, purpose: "p"), purpose: "q")).to be_nil
      expired = Time.now.utc - 5
      expect([as, rs].map { |v| v.verified(rs.generate(value, expires_at: expired)) }).to eq([nil, nil])
      expect([as, rs].map { |v| v.verified(as.generate(value, expires_at: expired)) }).to eq([nil, nil])
    end

    it "encrypts #{serializer} with an expiry as ActiveSupport reads it " \
       "(use_message_serializer_for_metadata = #{in_serializer})" do
      ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata = in_serializer
      key = "k" * 32
      as = ActiveSupport::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: serializer)
      rs = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: serializer)
      null = ActiveSupport::MessageEncryptor.new(key, cipher: "aes-256-gcm",
                                                      serializer: ActiveSupport::MessageEncryptor::NullSerializer)
      ours = rs.encrypt_and_sign(value, expires_at: at, purpose: "p")
      theirs = as.encrypt_and_sign(value, expires_at: at, purpose: "p")
      expect(as.decrypt_and_verify(ours, purpose: "p")).to eq(value)
      expect(rs.decrypt_and_verify(theirs, purpose: "p")).to eq(value)
      # Random IVs: the plaintexts are compared.
      expect(null.decrypt_and_verify(ours)).to eq(null.decrypt_and_verify(theirs))
    end
  end
end
