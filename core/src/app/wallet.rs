//! The coupon wallet through the core service: every rule is in
//! [`crate::coupons::wallet`]; here the app supplies its database, clock and the one
//! activation rule. Plain blocking calls (quick local SQLite work).

use super::{App, AppError};
use crate::coupons::wallet::{Purchase, Redeemed, Verdict, Wallet, WalletStatus};
use crate::domain::{Dispute, Redemption, WalletLimits};
use crate::money::Fen;

impl App {
    /// The coupon wallet over this app's database and clock.
    pub fn wallet(&self) -> Wallet {
        Wallet::new(
            std::sync::Arc::clone(&self.store),
            std::sync::Arc::clone(&self.clock),
        )
    }

    /// Checks a scanned coupon for `purchase`, writing nothing. A refused coupon is a
    /// verdict, not an error.
    ///
    /// # Errors
    /// [`AppError::Wallet`] for a nonsensical input or a failing database.
    pub fn verify_coupon(&self, text: &str, purchase: &Purchase) -> Result<Verdict, AppError> {
        Ok(self.wallet().verify(text, purchase)?)
    }

    /// Redeems a coupon for `purchase` (total required): checks it again inside the
    /// transaction that records the redemption and queues it for the next sync.
    ///
    /// # Errors
    /// [`AppError::NotActivated`] before activation; [`AppError::Wallet`] with the refusal,
    /// a bad amount or a failing database. Nothing is written then.
    pub fn redeem_coupon(
        &self,
        text: &str,
        purchase: &Purchase,
        amount: Option<Fen>,
    ) -> Result<Redeemed, AppError> {
        let credentials = self.activation()?.ok_or(AppError::NotActivated)?;
        Ok(self
            .wallet()
            .redeem(&credentials.device_id, text, purchase, amount)?)
    }

    /// Redemptions known here, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`AppError::Wallet`] when the database fails.
    pub fn coupon_redemptions(&self, limit: u32) -> Result<Vec<Redemption>, AppError> {
        Ok(self.wallet().redemptions(limit)?)
    }

    /// Disputes from the server, newest first; dismissed ones too if asked.
    ///
    /// # Errors
    /// [`AppError::Wallet`] when the database fails.
    pub fn coupon_disputes(&self, include_resolved: bool) -> Result<Vec<Dispute>, AppError> {
        Ok(self.wallet().disputes(include_resolved)?)
    }

    /// Marks a dispute as dealt with on this phone; whether it was open.
    ///
    /// # Errors
    /// [`AppError::Wallet`] when the database fails.
    pub fn resolve_coupon_dispute(&self, id: &str) -> Result<bool, AppError> {
        Ok(self.wallet().resolve_dispute(id)?)
    }

    /// The offline limits in force.
    ///
    /// # Errors
    /// [`AppError::Wallet`] when the database fails.
    pub fn wallet_limits(&self) -> Result<WalletLimits, AppError> {
        Ok(self.wallet().limits()?)
    }

    /// Changes the offline limits.
    ///
    /// # Errors
    /// [`AppError::Wallet`] for a negative value cap or a failing database.
    pub fn set_wallet_limits(&self, limits: &WalletLimits) -> Result<(), AppError> {
        Ok(self.wallet().set_limits(limits)?)
    }

    /// Limits, what waits for the server, and until when redeeming is allowed.
    ///
    /// # Errors
    /// [`AppError::Wallet`] when the database fails.
    pub fn wallet_status(&self) -> Result<WalletStatus, AppError> {
        Ok(self.wallet().status()?)
    }
}
