# frozen_string_literal: true

require "time"

# Expiry checks read the timestamp Rails writes (`iso8601(3)`, UTC) in the core and compare it
# with Time.now as the app sees it (stubbed, as travel_to does, included): the same answers as
# Time.iso8601, to the millisecond boundary.
RSpec.describe "Message expiry", kind: :unit do
  describe "Native.iso8601_millis" do
    before { skip "the pure-Ruby port declines (nil): Ruby parses every expiry" unless Railsess.native? }

    let(:random) { Random.new(RSpec.configuration.seed) }

    def ruby_millis(text) = (Time.iso8601(text).to_r * 1000).to_i

    it "reads every canonical timestamp as Time.iso8601 does" do
      2000.times do
        time = Time.at(random.rand(0..253_402_300_799), random.rand(0..999), :millisecond).utc
        text = time.iso8601(3)
        expect(Railsess::Native.iso8601_millis(text)).to eq(ruby_millis(text)), text
      end
    end

    it "leaves other forms (and what Ruby would normalize) to Ruby" do
      ["2026-02-30T00:00:00.000Z", "2026-12-06T23:59:60.000Z", "2026-12-06T03:40:12.345+00:00",
       "2026-12-06T03:40:12Z", "2026-12-06T03:40:12.3456Z", "1969-12-31T23:59:59.999Z",
       "2026-12-06T03:40:12.345z", "２０２６-12-06T03:40:12.345Z", "2026-12-06T03:40:12.345Z\n", ""].each do |text|
        expect(Railsess::Native.iso8601_millis(text)).to be_nil, text
      end
    end
  end

  describe "at the expiry's boundary, with Time.now stubbed" do
    let(:expires_at) { Time.utc(2030, 1, 2, 3, 4, 5, 678_000) }
    let(:value) { { "user" => 1 } }

    def at(time)
      allow(Time).to receive(:now).and_return(time)
      yield
    end

    %w[6.1 7.0 7.1 7.2].product([false, true]).each do |rails_version, metadata_in_serializer|
      next if metadata_in_serializer && rails_version < "7.1"

      form = metadata_in_serializer ? "7.1+" : "legacy"
      it "reads until the expiry, not at it (Rails #{rails_version}, #{form} envelope)" do
        Railsess.use_message_serializer_for_metadata = metadata_in_serializer
        crypt = Railsess::MessageEncryptor.new("k" * 32, cipher: "aes-256-gcm", serializer: JSON,
                                                         rails_version: rails_version)
        verifier = Railsess::MessageVerifier.new("s" * 64, serializer: JSON, rails_version: rails_version)
        message = crypt.encrypt_and_sign(value, purpose: "p", expires_at: expires_at)
        token = verifier.generate(value, purpose: "p", expires_at: expires_at)
        [[expires_at - Rational(1, 1_000_000), value], [expires_at, nil],
         [expires_at + 0.001, nil]].each do |now, expected|
          at(now) do
            expect(crypt.decrypt_and_verify(message, purpose: "p")).to eq(expected), now.iso8601(9)
            expect(verifier.verified(token, purpose: "p")).to eq(expected), now.iso8601(9)
          end
        end
      end
    end

    it "agrees with the loaded ActiveSupport", :active_support do
      key = "k" * 32
      as = ActiveSupport::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: JSON)
      ours = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: JSON)
      message = as.encrypt_and_sign(value, purpose: "p", expires_at: expires_at)
      [expires_at - Rational(1, 1_000_000), expires_at, expires_at + 0.001].each do |now|
        at(now) do
          expect(ours.decrypt_and_verify(message, purpose: "p")).to eq(as.decrypt_and_verify(message, purpose: "p"))
        end
      end
    end
  end
end
