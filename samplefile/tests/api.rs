//! What the server needs of the types it holds.

use samplefile::{Records, Report, Row, SampleFile, Validator};

fn held_across_an_await<T: Send>() {}

#[test]
fn a_file_its_rows_the_validator_and_the_report_can_be_held_across_awaits() {
    // An async import holds them between batches of inserts: its future must stay `Send`.
    held_across_an_await::<SampleFile<'static>>();
    held_across_an_await::<Records<'static, 'static>>();
    held_across_an_await::<Validator<'static>>();
    held_across_an_await::<Report>();
    held_across_an_await::<Vec<Row>>();
}
