# frozen_string_literal: true

# What a Rails 7.1+ app writes (metadata inside the serializer's output: purpose, expiry) is
# read and written by the core in the same call that decrypts or verifies it, for every JSON
# serializer Rails uses (`::JSON`, `:json`, `:json_allow_marshal`, `:hybrid`, ActiveSupport::JSON
# where loaded): Ruby's JSON parser/generator and `Time.iso8601` are not called, and the answers
# are Ruby's (Time.now as the app sees it, travel_to included). Legacy envelopes with an expiry
# too. The pure-Ruby port parses with Ruby's JSON by design: these run on the extension only.
RSpec.describe "Metadata on the native path", kind: :unit do
  before do
    skip "the pure-Ruby port (RAILSESS_PURE=1) parses and generates with Ruby's JSON by design" unless Railsess.native?
  end

  let(:value) { { "session_id" => "f" * 32, "warden.user.user.key" => [[1], "salt"], "flash" => nil } }
  let(:expires_at) { Time.utc(2030, 1, 2, 3, 4, 5.678r) }

  serializers = [JSON, :json, :json_allow_marshal, :hybrid]

  # Nothing but the one native call: no JSON or time parsing in Ruby, nor a second trip to the
  # core for them (Native.json_parse / iso8601_millis are what Ruby's path calls).
  def reads_in_one_native_call
    %i[parse load].each { |name| expect(::JSON).not_to receive(name) }
    %i[iso8601 parse].each { |name| expect(Time).not_to receive(name) }
    %i[json_parse iso8601_millis].each { |name| expect(Railsess::Native).not_to receive(name) }
  end

  # Writing the 7.1+ envelope: no Hash built and serialized in Ruby, no Time#iso8601.
  def writes_in_one_native_call(expires_at)
    %i[generate dump].each { |name| expect(::JSON).not_to receive(name) }
    expect(Railsess::Native).not_to receive(:json_generate)
    expect(expires_at).not_to receive(:iso8601)
  end

  def at(time)
    allow(Time).to receive(:now).and_return(time)
  end

  [true, false].each do |metadata_in_serializer|
    form = metadata_in_serializer ? "the 7.1+ envelope" : "the legacy envelope"

    serializers.each do |serializer|
      context "#{serializer.inspect}, #{form}" do
        before { Railsess.use_message_serializer_for_metadata = metadata_in_serializer }

        let(:encryptor) do
          Railsess::MessageEncryptor.new("k" * 32, serializer: serializer, rails_version: "7.2")
        end
        let(:verifier) { Railsess::MessageVerifier.new("s" * 64, serializer: serializer, rails_version: "7.2") }

        it "writes and reads purpose + expiry natively, as Ruby's path answers" do
          # :hybrid is no envelope serializer: its metadata stays in the legacy envelope.
          writes_in_one_native_call(expires_at) if metadata_in_serializer && serializer != :hybrid
          messages = [encryptor.encrypt_and_sign(value, purpose: "cookie.s", expires_at: expires_at),
                      verifier.generate(value, purpose: "cookie.s", expires_at: expires_at)]
          envelope = metadata_in_serializer ? %("data":) : %("message":)
          expect(encryptor.send(:decrypt, messages[0])).to include(envelope).or(be_an(Array))

          reads_in_one_native_call
          at(expires_at - 0.001)
          expect(encryptor.decrypt_and_verify(messages[0], purpose: "cookie.s")).to eq(value)
          expect(verifier.verified(messages[1], purpose: "cookie.s")).to eq(value)
          expect(encryptor.decrypt_and_verify(messages[0], purpose: "cookie.t")).to be_nil
          expect(verifier.verified(messages[1])).to be_nil
          at(expires_at)
          expect(encryptor.decrypt_and_verify(messages[0], purpose: "cookie.s")).to be_nil
          expect(verifier.verified(messages[1], purpose: "cookie.s")).to be_nil
        end
      end
    end
  end

  it "writes the 7.1+ envelope byte for byte as Ruby's serializer would" do
    Railsess.use_message_serializer_for_metadata = true
    verifier = Railsess::MessageVerifier.new("s" * 64, serializer: JSON, rails_version: "7.2")
    signed = verifier.generate({ "a" => "<é\u2028>" }, purpose: :"p<", expires_at: expires_at)
    data = Base64.strict_decode64(signed.split("--").first)
    expect(data).to eq(JSON.dump({ "_rails" => { "data" => { "a" => "<é\u2028>" },
                                                 "exp" => expires_at.iso8601(3), "pur" => "p<" } }).b)
  end
end
