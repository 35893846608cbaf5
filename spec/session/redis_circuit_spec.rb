# frozen_string_literal: true

require "railsess/session/redis_circuit"

RSpec.describe Railsess::Session::RedisCircuit, kind: :unit do
  let(:now) { [100.0] }
  let(:circuit) { described_class.new(backoff: 2, clock: -> { now.first }) }

  it "lets every request through while closed" do
    expect(Array.new(3) { circuit.allow? }).to eq([true, true, true])
    expect(circuit).not_to be_open
  end

  it "opens on a failure (reported once), skips Redis for the back-off, then lets one trial through" do
    expect(circuit.failure!).to be(true)
    expect(circuit.failure!).to be(false) # already open
    expect(circuit.allow?).to be(false)
    now[0] += 1.9
    expect(circuit.allow?).to be(false)
    now[0] += 0.2
    expect(circuit.allow?).to be(true)  # the trial
    expect(circuit.allow?).to be(false) # the others wait for its answer
    expect(circuit.success!).to be(true)
    expect(circuit.success!).to be(false)
    expect(circuit.allow?).to be(true)
  end

  it "stays open for another back-off when the trial fails" do
    circuit.failure!
    now[0] += 2.5
    expect(circuit.allow?).to be(true)
    expect(circuit.failure!).to be(false)
    now[0] += 1
    expect(circuit.allow?).to be(false)
    now[0] += 1.1
    expect(circuit.allow?).to be(true)
  end

  it "never opens with a back-off of 0 or false" do
    [0, false].each do |backoff|
      off = described_class.new(backoff: backoff, clock: -> { now.first })
      expect(off.failure!).to be(false)
      expect(off.allow?).to be(true)
    end
  end

  it "rejects a negative back-off" do
    expect { described_class.new(backoff: -1) }.to raise_error(ArgumentError, /redis_down_backoff/)
  end

  it "gives one trial to one of many threads" do
    circuit.failure!
    now[0] += 3
    allowed = Array.new(8) { Thread.new { circuit.allow? } }.map(&:value)
    expect(allowed.count(true)).to eq(1)
  end
end
