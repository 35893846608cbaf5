# frozen_string_literal: true

require "railsess/flash"

RSpec.describe Railsess::Flash, kind: :unit do
  # Random request sequences: each request loads the flash from the session value, does some of
  # set / now / keep / discard / delete, and stores the result; Rails' FlashHash does the same.
  context "compared with ActionDispatch 6.1's FlashHash", :active_support, kind: :compat do
    before(:all) { require "action_dispatch" }

    operations = [
      ->(f, k) { f[k] = "msg #{k}" },
      ->(f, k) { f.now[k] = "now #{k}" },
      ->(f, k) { f.keep(k) },
      ->(f, _) { f.keep },
      ->(f, k) { f.discard(k) },
      ->(f, k) { f.delete(k) },
      ->(f, k) { f[k] }
    ]

    10.times do |seed|
      it "stores the same session value as Rails over a random request sequence (seed #{seed})" do
        random = Random.new(seed)
        ours = theirs = nil
        8.times do
          mine = described_class.from_session_value(ours)
          rails = ActionDispatch::Flash::FlashHash.from_session_value(theirs)
          expect(mine.to_hash).to eq(rails.to_hash)
          random.rand(4).times do
            op = operations.sample(random: random)
            key = %w[notice alert info].sample(random: random)
            op.call(mine, key)
            op.call(rails, key)
          end
          ours = JSON.parse(JSON.generate(mine.to_session_value))
          theirs = JSON.parse(JSON.generate(rails.to_session_value))
          expect(ours).to eq(theirs)
        end
      end
    end
  end

  it "commits into the session like Rails' Request#commit_flash" do
    session = { "flash" => { "discard" => [], "flashes" => { "notice" => "hi" } } }
    env = { "rack.session" => session }
    expect(described_class.for(env)[:notice]).to eq("hi")
    described_class.commit(env)
    expect(session).not_to have_key("flash") # shown once, then gone
    env = { "rack.session" => session }
    described_class.for(env).alert = "next"
    described_class.commit(env)
    expect(session["flash"]).to eq("discard" => [], "flashes" => { "alert" => "next" })
  end

  it "treats an unknown session value as an empty flash" do
    ["garbage", { "flashes" => "x" }, [1], nil].each do |value|
      expect(described_class.from_session_value(value)).to be_empty
    end
  end
end
